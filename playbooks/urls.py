from django.urls import path

from .views import (
    email_templates,
    playbook_edit,
    playbook_list,
    playbook_preview,
    runs,
    task_create,
    today,
)

urlpatterns = [
    path("today/", today.today, name="today"),
    path("today/tasks/<int:pk>/done/", today.task_complete, name="task_complete"),
    path("today/tasks/<int:pk>/snooze/", today.task_snooze, name="task_snooze"),
    path("today/tasks/<int:pk>/reassign/", today.task_reassign, name="task_reassign"),
    path("today/tasks/<int:pk>/notes/", today.task_note, name="task_note"),
    path("a/<slug:slug>/tasks/new/", task_create.task_create, name="task_create"),
    path("a/<slug:slug>/playbooks/runs/", runs.run_list, name="playbook_runs"),
    path("a/<slug:slug>/playbooks/runs/<int:pk>/", runs.run_detail, name="playbook_run"),
    path("a/<slug:slug>/playbooks/pause/", runs.pause, name="playbooks_pause"),
    path("a/<slug:slug>/playbooks/resume/", runs.resume, name="playbooks_resume"),
    path("playbooks/", playbook_list.playbooks, name="playbooks"),
    path("playbooks/<int:pk>/enabled/", playbook_list.playbook_toggle, name="playbook_toggle"),
    path("playbooks/emails/", email_templates.email_templates, name="email_templates"),
    path(
        "playbooks/emails/new/",
        email_templates.email_template_create,
        name="email_template_create",
    ),
    path(
        "playbooks/emails/<int:pk>/",
        email_templates.email_template_edit,
        name="email_template_edit",
    ),
    path(
        "playbooks/emails/<int:pk>/preview/",
        email_templates.email_template_preview,
        name="email_template_preview",
    ),
    path("playbooks/new/", playbook_edit.playbook_new, name="playbook_new"),
    path("playbooks/<int:pk>/edit/", playbook_edit.playbook_edit, name="playbook_edit"),
    path("playbooks/<int:pk>/delete/", playbook_edit.playbook_delete, name="playbook_delete"),
    path("playbooks/<int:pk>/preview/", playbook_preview.playbook_preview, name="playbook_preview"),
]
