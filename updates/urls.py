from django.urls import path

from .views import console, editor, feed, image, reach, status, update

urlpatterns = [
    # The vendor's console.
    path("updates/", console.updates_console, name="updates_console"),
    path("updates/new/", editor.update_create, name="update_create"),
    path("updates/<int:pk>/", reach.update_reach, name="update_reach"),
    path("updates/<int:pk>/edit/", editor.update_edit, name="update_edit"),
    path("updates/<int:pk>/publish/", status.update_publish, name="update_publish"),
    path("updates/<int:pk>/unpublish/", status.update_unpublish, name="update_unpublish"),
    path("updates/<int:pk>/image/", image.console_update_image, name="console_update_image"),
    # On an account: its people's feed.
    path("a/<slug:slug>/updates/", feed.updates_feed, name="updates"),
    path("a/<slug:slug>/updates/read/", feed.updates_read_all, name="updates_read_all"),
    path("a/<slug:slug>/updates/<int:pk>/", update.update_detail, name="update"),
    path("a/<slug:slug>/updates/<int:pk>/useful/", update.update_useful, name="update_useful"),
    path("a/<slug:slug>/updates/<int:pk>/image/", image.update_image, name="update_image"),
]
