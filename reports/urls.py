from django.urls import path

from .views import archive, batch, batches, report, review, review_ask, review_form, wrapped_note

urlpatterns = [
    path("a/<slug:slug>/reports/", archive.archive, name="reports"),
    path("a/<slug:slug>/reports/<int:pk>/", report.report, name="report"),
    path("a/<slug:slug>/reports/<int:pk>/download/", report.download, name="report_download"),
    path("a/<slug:slug>/reports/<int:pk>/retry/", report.retry, name="report_retry"),
    path("a/<slug:slug>/reports/wrapped/", archive.request_wrapped, name="wrapped_request"),
    path(
        "a/<slug:slug>/reports/wrapped/<int:year>/note/",
        wrapped_note.wrapped_note,
        name="wrapped_note",
    ),
    path("a/<slug:slug>/reviews/new/", review_form.review_create, name="review_create"),
    path("a/<slug:slug>/reviews/ask/", review_ask.review_ask, name="review_ask"),
    path("a/<slug:slug>/reviews/<int:pk>/", review.review, name="review"),
    path("a/<slug:slug>/reviews/<int:pk>/edit/", review_form.review_edit, name="review_edit"),
    path("a/<slug:slug>/reviews/<int:pk>/pdf/", review.review_generate, name="review_generate"),
    path("a/<slug:slug>/reviews/<int:pk>/publish/", review.review_publish, name="review_publish"),
    path("console/wrapped/", batches.batches, name="wrapped_batches"),
    path("console/wrapped/preview/", batches.preview, name="wrapped_preview"),
    path("console/wrapped/preview/sample.pdf", batches.sample, name="wrapped_sample"),
    path("console/wrapped/<int:pk>/", batch.batch, name="wrapped_batch"),
]
