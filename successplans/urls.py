from django.urls import include, path, register_converter

from .views import checklist, plan_console, plans, portfolio


class PlanItemConverter:
    regex = "objective|kpi|milestone|action"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(PlanItemConverter, "plan_item")

urlpatterns = [
    path("console/templates/", include("successplans.template_urls")),
    path("onboarding/", portfolio.onboarding_portfolio, name="onboarding_portfolio"),
    path("plans/", plan_console.plan_portfolio, name="plan_portfolio"),
    path("console/plan-templates/", plan_console.plan_templates, name="plan_templates"),
    path("console/plan-templates/<int:pk>/", plan_console.plan_template, name="plan_template"),
    path(
        "console/plan-templates/<int:pk>/archive/",
        plan_console.plan_template_archive,
        name="plan_template_archive",
    ),
    path(
        "console/plan-templates/<int:pk>/items/<int:item_pk>/delete/",
        plan_console.plan_template_item_delete,
        name="plan_template_item_delete",
    ),
    path("a/<slug:slug>/plans/", plans.plans, name="plans"),
    path("a/<slug:slug>/plans/new/", plans.plan_create, name="plan_create"),
    path("a/<slug:slug>/plans/<int:pk>/", plans.plan, name="plan"),
    path("a/<slug:slug>/plans/<int:pk>/print/", plans.plan_print, name="plan_print"),
    path("a/<slug:slug>/plans/<int:pk>/comments/", plans.plan_comment, name="plan_comment"),
    path("a/<slug:slug>/plans/<int:pk>/health/", plans.plan_health, name="plan_health"),
    path(
        "a/<slug:slug>/plans/<int:pk>/save-as-template/",
        plans.plan_save_as_template,
        name="plan_save_as_template",
    ),
    path(
        "a/<slug:slug>/plans/<int:pk>/<plan_item:kind>/add/", plans.item_add, name="plan_item_add"
    ),
    path(
        "a/<slug:slug>/plans/<int:pk>/<plan_item:kind>/<int:item_pk>/edit/",
        plans.item_edit,
        name="plan_item_edit",
    ),
    path(
        "a/<slug:slug>/plans/<int:pk>/<plan_item:kind>/<int:item_pk>/status/",
        plans.item_status,
        name="plan_item_status",
    ),
    path(
        "a/<slug:slug>/plans/<int:pk>/<plan_item:kind>/<int:item_pk>/delete/",
        plans.item_delete,
        name="plan_item_delete",
    ),
    path(
        "a/<slug:slug>/plans/<int:pk>/kpi/<int:item_pk>/value/",
        plans.kpi_value,
        name="plan_kpi_value",
    ),
    path("a/<slug:slug>/onboarding/", checklist.onboarding, name="onboarding"),
    path("a/<slug:slug>/onboarding/start/", checklist.onboarding_start, name="onboarding_start"),
    path("a/<slug:slug>/onboarding/ladder/", checklist.ladder, name="onboarding_ladder"),
    path("a/<slug:slug>/onboarding/tasks/add/", checklist.task_add, name="onboarding_task_add"),
    path("a/<slug:slug>/onboarding/tasks/<int:pk>/", checklist.task_detail, name="onboarding_task"),
    path(
        "a/<slug:slug>/onboarding/tasks/<int:pk>/done/",
        checklist.task_done,
        name="onboarding_task_done",
    ),
    path(
        "a/<slug:slug>/onboarding/tasks/<int:pk>/assign/",
        checklist.task_assign,
        name="onboarding_task_assign",
    ),
    path(
        "a/<slug:slug>/onboarding/tasks/<int:pk>/comments/",
        checklist.task_comment,
        name="onboarding_task_comment",
    ),
    path(
        "a/<slug:slug>/onboarding/tasks/<int:pk>/edit/",
        checklist.task_edit,
        name="onboarding_task_edit",
    ),
    path(
        "a/<slug:slug>/onboarding/tasks/<int:pk>/delete/",
        checklist.task_delete,
        name="onboarding_task_delete",
    ),
    path(
        "a/<slug:slug>/onboarding/tasks/<int:pk>/move/",
        checklist.task_move,
        name="onboarding_task_move",
    ),
]
