from django.urls import path

from . import views

urlpatterns = [
    path("a/<slug:slug>/reports/", views.archive, name="reports"),
    path("a/<slug:slug>/reports/<int:pk>/", views.report, name="report"),
    path("a/<slug:slug>/reports/<int:pk>/download/", views.download, name="report_download"),
    path("a/<slug:slug>/reports/<int:pk>/retry/", views.retry, name="report_retry"),
    path("a/<slug:slug>/reports/wrapped/", views.request_wrapped, name="wrapped_request"),
    path("a/<slug:slug>/reports/wrapped/<int:year>/note/", views.wrapped_note, name="wrapped_note"),
    path("a/<slug:slug>/reviews/new/", views.review_create, name="review_create"),
    path("a/<slug:slug>/reviews/<int:pk>/", views.review, name="review"),
    path("a/<slug:slug>/reviews/<int:pk>/edit/", views.review_edit, name="review_edit"),
    path("a/<slug:slug>/reviews/<int:pk>/pdf/", views.review_generate, name="review_generate"),
    path("a/<slug:slug>/reviews/<int:pk>/publish/", views.review_publish, name="review_publish"),
    path("console/wrapped/", views.batches, name="wrapped_batches"),
    path("console/wrapped/<int:pk>/", views.batch, name="wrapped_batch"),
]
