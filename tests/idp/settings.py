"""Settings of the test identity provider (see tests/idp/__init__.py)."""

import os
from pathlib import Path

from jwcrypto import jwk

IDP_DIR = Path(os.environ.get("IDP_DIR", "/tmp/portal-test-idp"))  # noqa: S108 - tests only
IDP_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = "test-identity-provider-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
USE_TZ = True
ROOT_URLCONF = "tests.idp.urls"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "oauth2_provider",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [Path(__file__).parent / "templates"],
        "OPTIONS": {"context_processors": ["django.template.context_processors.csrf"]},
    }
]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": IDP_DIR / "idp.sqlite3"}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "/login/"
LOGGING = {"version": 1, "disable_existing_loggers": True}

# A fresh RSA key each start: the ID tokens are signed with it.
SIGNING_KEY = jwk.JWK.generate(kty="RSA", size=2048)
OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_RSA_PRIVATE_KEY": SIGNING_KEY.export_to_pem(private_key=True, password=None).decode(),
    "OAUTH2_VALIDATOR_CLASS": "tests.idp.validator.TestIdPValidator",
    "SCOPES": {"openid": "OpenID Connect", "profile": "Profile", "email": "E-mail"},
    "PKCE_REQUIRED": True,
}
