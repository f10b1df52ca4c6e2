from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from . import views, views_metrics

# Django's admin logs in through allauth: rate-limited, and with two-factor authentication.
admin.autodiscover()
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]
admin.site.site_header = f"{settings.SITE_NAME} – superuser back door"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("metrics", views_metrics.metrics, name="metrics"),
    path("auth/", include("allauth.urls")),
    # The log-in page's language menu, for visitors not logged in (a cookie; portal.i18n).
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("", include("accounts.urls")),
    path("", include("onboarding.urls")),
    path("", include("successplans.urls")),
    path("", include("surveys.urls")),
    path("", include("insights.urls")),
    path("", include("handover.urls")),
    path("", include("updates.urls")),
    path("", include("academy.urls")),
    path("", include("renewals.urls")),
    path("", include("offboarding.urls")),
    path("", include("forecast.urls")),
    path("", include("value.urls")),
    path("", include("adoption.urls")),
    path("", include("documents.urls")),
    path("", include("reports.urls")),
    path("", include("advocacy.urls")),
    path("", include("playbooks.urls")),
    path("", include("integrations.urls")),
]
