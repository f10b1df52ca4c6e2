"""The portal's settings, with the bench's URLs (the portal's plus a bare view and a baseline
page) and the baseline page's template."""

from pathlib import Path

from portal.settings import *  # noqa: F403
from portal.settings import BASE_DIR, TEMPLATES

ROOT_URLCONF = "bench.urls"
TEMPLATES[0]["DIRS"] = [BASE_DIR / "templates", Path(__file__).resolve().parent / "templates"]
