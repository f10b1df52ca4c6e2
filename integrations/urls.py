from django.urls import path

from .views import (
    calendar_ics,
    calendar_settings,
    chat_console,
    chat_settings,
    embed,
    embed_console,
    webhook_actions,
    webhook_detail,
    webhook_edit,
    webhook_events,
    webhook_list,
)

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

# Chat notifications and calendar feeds ------------------------------------------------------------


urlpatterns += [
    path("settings/chat/", chat_settings.chat_channels, name="chat_channels"),
    path("settings/chat/<int:pk>/", chat_settings.chat_channel_edit, name="chat_channel_edit"),
    path("settings/chat/<int:pk>/test/", chat_settings.chat_channel_test, name="chat_channel_test"),
    path(
        "settings/chat/<int:pk>/delete/",
        chat_settings.chat_channel_delete,
        name="chat_channel_delete",
    ),
    path("console/chat/", chat_console.chat_team_channels, name="chat_team_channels"),
    path("settings/calendar/", calendar_settings.calendar_feed, name="calendar_feed"),
    path(
        "settings/calendar/new/",
        calendar_settings.calendar_feed_create,
        name="calendar_feed_create",
    ),
    path(
        "settings/calendar/revoke/",
        calendar_settings.calendar_feed_revoke,
        name="calendar_feed_revoke",
    ),
    path("calendar/<str:token>.ics", calendar_ics.calendar_ics, name="calendar_ics"),
]

# Webhooks ----------------------------------------------------------------------------------------


urlpatterns += [
    path("console/webhooks/", webhook_list.webhooks, name="webhooks"),
    path("console/webhooks/new/", webhook_edit.webhook_new, name="webhook_new"),
    path("console/webhooks/events/", webhook_events.webhook_events, name="webhook_events"),
    path("console/webhooks/<int:pk>/", webhook_detail.webhook_detail, name="webhook_detail"),
    path("console/webhooks/<int:pk>/edit/", webhook_edit.webhook_edit, name="webhook_edit"),
    path("console/webhooks/<int:pk>/test/", webhook_actions.webhook_test, name="webhook_test"),
    path(
        "console/webhooks/<int:pk>/rotate/", webhook_actions.webhook_rotate, name="webhook_rotate"
    ),
    path(
        "console/webhooks/<int:pk>/delete/", webhook_actions.webhook_delete, name="webhook_delete"
    ),
    path(
        "console/webhooks/<int:pk>/deliveries/<int:delivery_pk>/resend/",
        webhook_actions.webhook_resend,
        name="webhook_resend",
    ),
]
