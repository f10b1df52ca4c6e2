from django.urls import path

from .views import console, customer, pipeline, renewal

urlpatterns = [
    # The CS team's.
    path("renewals/", pipeline.pipeline, name="renewals_pipeline"),
    path("renewals/export.csv", pipeline.pipeline_csv, name="renewals_csv"),
    path("renewals/reasons/", console.churn_reasons, name="churn_reasons"),
    path("renewals/reasons/report/", console.churn_reasons_report, name="churn_reasons_report"),
    path(
        "renewals/reasons/<int:pk>/active/",
        console.churn_reason_active,
        name="churn_reason_active",
    ),
    path("renewals/checklist/", console.renewal_checklist, name="renewal_checklist"),
    path(
        "renewals/checklist/<int:pk>/remove/",
        console.renewal_checklist_remove,
        name="renewal_checklist_remove",
    ),
    path("a/<slug:slug>/renewals/<int:pk>/", renewal.renewal_edit, name="renewal_edit"),
    # The customer's.
    path("a/<slug:slug>/renewal/", customer.renewal_page, name="renewal_page"),
    path(
        "a/<slug:slug>/renewal/steps/<int:pk>/",
        customer.renewal_step_tick,
        name="renewal_step_tick",
    ),
]
