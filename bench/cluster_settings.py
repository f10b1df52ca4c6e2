"""The portal's production settings for bench/cluster.py, but for one thing: the static files
are collected with their hashed names and not compressed as well (whitenoise's gzip and brotli
pass takes a minute on a busy machine and has nothing to do with several machines)."""

from portal.settings import *  # noqa: F403
from portal.settings import STORAGES

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}
