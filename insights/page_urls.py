from django.urls import path

from . import pages

urlpatterns = [
    path("book/", pages.book, name="book"),
    path("console/health/", pages.health_settings, name="health_settings"),
    path("a/<slug:slug>/360/", pages.account_360, name="account_360"),
    path("a/<slug:slug>/pulse/", pages.pulse, name="account_pulse"),
]
