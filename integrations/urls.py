from django.urls import path

from .views import webhook_actions, webhook_detail, webhook_edit, webhook_events, webhook_list

urlpatterns = [
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
