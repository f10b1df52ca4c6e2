"""Where files go, from the environment: the local disk, or S3-compatible object storage.

Read by ``portal/settings.py`` before Django is set up, so it imports nothing from Django but
its exception. ``STORAGE_URL`` names the bucket in one line::

    s3://bucket/optional/prefix?endpoint_url=http://127.0.0.1:9000&region=eu-west-1

with, optionally, ``addressing_style=path`` (most S3-compatible servers want it) and
``signature_version``. The keys come from ``AWS_ACCESS_KEY_ID`` and ``AWS_SECRET_ACCESS_KEY``
(or their ``*_FILE`` forms, or the machine's role through boto3's usual chain); a URL may carry
them too, percent-encoded, as ``s3://KEY:SECRET@bucket``. The usual ``AWS_STORAGE_BUCKET_NAME``,
``AWS_S3_ENDPOINT_URL``, ``AWS_S3_REGION_NAME``, ``AWS_S3_ADDRESSING_STYLE`` and ``AWS_LOCATION``
do the same when ``STORAGE_URL`` is not set.

Whatever the environment says, objects are private: no ACL is sent (the bucket's own, private,
applies), every URL the storage makes is signed and expires (``querystring_auth``), and a name
already taken gets a new one rather than replacing another account's file.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

S3_BACKEND = "storages.backends.s3.S3Storage"
LOCAL_BACKEND = "django.core.files.storage.FileSystemStorage"

# The query parameters STORAGE_URL takes, and the S3Storage option each sets.
URL_OPTIONS = {
    "endpoint_url": "endpoint_url",
    "region": "region_name",
    "region_name": "region_name",
    "addressing_style": "addressing_style",
    "signature_version": "signature_version",
}
ADDRESSING_STYLES = {"auto", "path", "virtual"}


def s3_options_from_url(url: str) -> dict[str, str]:
    """The S3Storage options a ``STORAGE_URL`` names; ImproperlyConfigured when it is wrong."""
    parts = urlsplit(url)
    if parts.scheme != "s3":
        raise ImproperlyConfigured(f"STORAGE_URL must start with s3://, not {parts.scheme}://")
    if not parts.hostname:
        raise ImproperlyConfigured("STORAGE_URL names no bucket (s3://bucket?...)")
    options = {"bucket_name": parts.hostname, "location": unquote(parts.path).strip("/")}
    if parts.username:
        options["access_key"] = unquote(parts.username)
        options["secret_key"] = unquote(parts.password or "")
    for key, values in parse_qs(parts.query, keep_blank_values=True, strict_parsing=False).items():
        if key not in URL_OPTIONS:
            known = ", ".join(sorted(URL_OPTIONS))
            raise ImproperlyConfigured(f"STORAGE_URL: unknown option {key!r} (known: {known})")
        options[URL_OPTIONS[key]] = values[-1]
    return options


def s3_options_from_variables(variables: dict[str, str]) -> dict[str, str]:
    """The same options from the usual ``AWS_*`` variables (those that are set)."""
    names = {
        "AWS_STORAGE_BUCKET_NAME": "bucket_name",
        "AWS_S3_ENDPOINT_URL": "endpoint_url",
        "AWS_S3_REGION_NAME": "region_name",
        "AWS_S3_ADDRESSING_STYLE": "addressing_style",
        "AWS_LOCATION": "location",
    }
    return {option: variables[name] for name, option in names.items() if variables.get(name)}


def default_storage(
    *,
    url: str,
    variables: dict[str, str],
    access_key: str,
    secret_key: str,
    presigned_seconds: int,
) -> dict[str, Any]:
    """The ``STORAGES["default"]`` entry: S3Storage when a bucket is named, else the disk."""
    found = s3_options_from_url(url) if url else s3_options_from_variables(variables)
    if not found.get("bucket_name"):
        return {"BACKEND": LOCAL_BACKEND}
    style = found.get("addressing_style")
    if style and style not in ADDRESSING_STYLES:
        raise ImproperlyConfigured(f"S3 addressing style {style!r}: one of {ADDRESSING_STYLES}")
    if presigned_seconds < 1:
        raise ImproperlyConfigured("STORAGE_PRESIGNED_SECONDS must be at least 1.")
    options: dict[str, Any] = {
        "signature_version": "s3v4",
        **{key: value for key, value in found.items() if value != ""},
        # Never public, whatever the environment: see the module's docstring.
        "default_acl": None,
        "querystring_auth": True,
        "querystring_expire": presigned_seconds,
        "custom_domain": None,
        "file_overwrite": False,
    }
    if "access_key" not in options and access_key:
        options["access_key"], options["secret_key"] = access_key, secret_key
    return {"BACKEND": S3_BACKEND, "OPTIONS": options}
