from django.urls import path

from .views import playbook_edit, playbook_list, playbook_preview, task_create, today

urlpatterns = [
    path("today/", today.today, name="today"),
    path("today/tasks/<int:pk>/done/", today.task_complete, name="task_complete"),
    path("today/tasks/<int:pk>/snooze/", today.task_snooze, name="task_snooze"),
    path("today/tasks/<int:pk>/reassign/", today.task_reassign, name="task_reassign"),
    path("a/<slug:slug>/tasks/new/", task_create.task_create, name="task_create"),
    path("playbooks/", playbook_list.playbooks, name="playbooks"),
    path("playbooks/<int:pk>/enabled/", playbook_list.playbook_toggle, name="playbook_toggle"),
    path("playbooks/new/", playbook_edit.playbook_new, name="playbook_new"),
    path("playbooks/<int:pk>/edit/", playbook_edit.playbook_edit, name="playbook_edit"),
    path("playbooks/<int:pk>/delete/", playbook_edit.playbook_delete, name="playbook_delete"),
    path("playbooks/<int:pk>/preview/", playbook_preview.playbook_preview, name="playbook_preview"),
]
