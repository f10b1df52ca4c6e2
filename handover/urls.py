"""The account's handover: /a/<slug>/handover/ (the vendor's alone)."""

from django.urls import path

from .views import edit, page

H = "a/<slug:slug>/handover/"

urlpatterns = [
    path(H, page.handover, name="handover"),
    path(f"{H}edit/", edit.handover_edit, name="handover_edit"),
    path(f"{H}review/", page.handover_review, name="handover_review"),
    path(f"{H}objectives/take/", page.handover_take_objectives, name="handover_take_objectives"),
]
