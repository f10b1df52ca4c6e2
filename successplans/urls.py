"""Success plans: the plans portfolio, plan templates, and each account's plans."""

from django.urls import path, register_converter

from .views import plan, plan_print, plans, portfolio, save_as_template, signoffs, templates


class PlanItemConverter:
    regex = "objective|kpi|milestone|action"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(PlanItemConverter, "plan_item")

urlpatterns = [
    path("plans/", portfolio.plan_portfolio, name="plan_portfolio"),
    path("console/plan-templates/", templates.plan_templates, name="plan_templates"),
    path("console/plan-templates/<int:pk>/", templates.plan_template, name="plan_template"),
    path(
        "console/plan-templates/<int:pk>/archive/",
        templates.plan_template_archive,
        name="plan_template_archive",
    ),
    path(
        "console/plan-templates/<int:pk>/items/<int:item_pk>/delete/",
        templates.plan_template_item_delete,
        name="plan_template_item_delete",
    ),
    path("a/<slug:slug>/plans/", plans.plans, name="plans"),
    path("a/<slug:slug>/plans/new/", plans.plan_create, name="plan_create"),
    path("a/<slug:slug>/plans/<int:pk>/", plan.plan, name="plan"),
    *(
        path(
            f"a/<slug:slug>/plans/<int:pk>/{part}/",
            plan.plan_part,
            {"part": part},
            name=f"plan_{part}",
        )
        for part in plan.PARTS
    ),
    path("a/<slug:slug>/plans/<int:pk>/print/", plan_print.plan_print, name="plan_print"),
    path("a/<slug:slug>/plans/<int:pk>/comments/", plan.plan_comment, name="plan_comment"),
    path("a/<slug:slug>/plans/<int:pk>/health/", plan.plan_health, name="plan_health"),
    path("a/<slug:slug>/plans/<int:pk>/settings/", plan.plan_settings, name="plan_settings"),
    path(
        "a/<slug:slug>/plans/<int:pk>/save-as-template/",
        save_as_template.plan_save_as_template,
        name="plan_save_as_template",
    ),
    path("a/<slug:slug>/plans/<int:pk>/<plan_item:kind>/add/", plan.item_add, name="plan_item_add"),
    path(
        "a/<slug:slug>/plans/<int:pk>/<plan_item:kind>/<int:item_pk>/edit/",
        plan.item_edit,
        name="plan_item_edit",
    ),
    path(
        "a/<slug:slug>/plans/<int:pk>/<plan_item:kind>/<int:item_pk>/status/",
        plan.item_status,
        name="plan_item_status",
    ),
    path(
        "a/<slug:slug>/plans/<int:pk>/<plan_item:kind>/<int:item_pk>/delete/",
        plan.item_delete,
        name="plan_item_delete",
    ),
    path(
        "a/<slug:slug>/plans/<int:pk>/kpi/<int:item_pk>/value/",
        plan.kpi_value,
        name="plan_kpi_value",
    ),
    path(
        "a/<slug:slug>/plans/<int:pk>/milestone/<int:item_pk>/sign-off/",
        signoffs.signoff_request,
        name="plan_signoff_request",
    ),
    path(
        "a/<slug:slug>/sign-offs/<int:pk>/approve/",
        signoffs.signoff_decide,
        {"decision": "approved"},
        name="signoff_approve",
    ),
    path(
        "a/<slug:slug>/sign-offs/<int:pk>/reject/",
        signoffs.signoff_decide,
        {"decision": "rejected"},
        name="signoff_reject",
    ),
]
