from django.urls import path

from .views import editor, page, readings

urlpatterns = [
    path("a/<slug:slug>/value/", page.value_page, name="value"),
    path("a/<slug:slug>/value/new/", editor.value_kpi_create, name="value_kpi_create"),
    path("a/<slug:slug>/value/<int:pk>/edit/", editor.value_kpi_edit, name="value_kpi_edit"),
    path("a/<slug:slug>/value/<int:pk>/remove/", editor.value_kpi_remove, name="value_kpi_remove"),
    path(
        "a/<slug:slug>/value/<int:pk>/readings/",
        readings.value_reading_add,
        name="value_reading_add",
    ),
    path(
        "a/<slug:slug>/value/<int:pk>/confirm/",
        readings.value_kpi_confirm,
        name="value_kpi_confirm",
    ),
]
