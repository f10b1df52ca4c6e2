from django.urls import path

from .views import embed, embed_console

urlpatterns: list = [
    # The embedded hub's entry; the rest of /embed/… is the portal itself, mounted again by
    # integrations.middleware.EmbedMountMiddleware.
    path("embed/", embed.embed_entry, name="embed_entry"),
    path("console/embed/", embed_console.embed_console, name="embed_console"),
    path("console/embed/secret/", embed_console.embed_secret_rotate, name="embed_secret_rotate"),
    path(
        "console/embed/secret/end-previous/",
        embed_console.embed_secret_end_previous,
        name="embed_secret_end_previous",
    ),
    path("console/embed/options/", embed_console.embed_options, name="embed_options"),
    path(
        "console/embed/accounts/", embed_console.embed_account_id_add, name="embed_account_id_add"
    ),
    path(
        "console/embed/accounts/<int:pk>/remove/",
        embed_console.embed_account_id_remove,
        name="embed_account_id_remove",
    ),
]
