"""The portal's settings, with the bench's URLs (the portal's plus a bare view)."""

from portal.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
