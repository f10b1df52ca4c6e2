from django.urls import path

from .api import api
from .views import (
    account_360,
    api_keys,
    book,
    expansion_settings,
    health_settings,
    imports,
    nightly,
    upsell,
)

urlpatterns = [
    path("api/v1/", api.urls),
    path("book/", book.book, name="book"),
    path("a/<slug:slug>/360/", account_360.account_360, name="account_360"),
    *(
        path(
            f"a/<slug:slug>/360/{part}/",
            account_360.account_360_part,
            {"part": part},
            name=f"account_360_{part}",
        )
        for part in account_360.PARTS
    ),
    path("a/<slug:slug>/pulse/", account_360.pulse, name="account_pulse"),
    path(
        "a/<slug:slug>/upsell-leads/<int:pk>/close/",
        upsell.upsell_lead_close,
        name="upsell_lead_close",
    ),
    path("a/<slug:slug>/upsell-leads/new/", upsell.upsell_lead_raise, name="upsell_lead_raise"),
    path("console/expansion/", expansion_settings.expansion_settings, name="expansion_settings"),
    path(
        "console/expansion/offers/",
        expansion_settings.cross_sell_offer_add,
        name="cross_sell_offer_add",
    ),
    path(
        "console/expansion/offers/<int:pk>/remove/",
        expansion_settings.cross_sell_offer_remove,
        name="cross_sell_offer_remove",
    ),
    path(
        "console/expansion/limits/",
        expansion_settings.feature_limit_add,
        name="feature_limit_add",
    ),
    path(
        "console/expansion/limits/<int:pk>/remove/",
        expansion_settings.feature_limit_remove,
        name="feature_limit_remove",
    ),
    path("console/health/", health_settings.health_settings, name="health_settings"),
    path("console/nightly/", nightly.nightly_runs, name="nightly_runs"),
    path("console/api-keys/", api_keys.api_keys, name="api_keys"),
    path("console/api-keys/new/", api_keys.api_key_create, name="api_key_create"),
    path("console/api-keys/<int:pk>/", api_keys.api_key_created, name="api_key_created"),
    path("console/api-keys/<int:pk>/revoke/", api_keys.api_key_revoke, name="api_key_revoke"),
    path("console/import/", imports.import_upload, name="import_upload"),
    path("console/import/<str:token>/confirm/", imports.import_confirm, name="import_confirm"),
    path("console/import/<str:token>/", imports.import_result, name="import_result"),
]
