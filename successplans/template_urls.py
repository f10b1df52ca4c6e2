"""The CSM's checklist templates, under /console/templates/."""

from django.urls import path

urlpatterns: list = []
