from django.urls import path

from .views import playbook_list, runs, task_create, today

urlpatterns = [
    path("today/", today.today, name="today"),
    path("today/tasks/<int:pk>/done/", today.task_complete, name="task_complete"),
    path("today/tasks/<int:pk>/snooze/", today.task_snooze, name="task_snooze"),
    path("today/tasks/<int:pk>/reassign/", today.task_reassign, name="task_reassign"),
    path("a/<slug:slug>/tasks/new/", task_create.task_create, name="task_create"),
    path("a/<slug:slug>/playbooks/runs/", runs.run_list, name="playbook_runs"),
    path("a/<slug:slug>/playbooks/runs/<int:pk>/", runs.run_detail, name="playbook_run"),
    path("a/<slug:slug>/playbooks/pause/", runs.pause, name="playbooks_pause"),
    path("a/<slug:slug>/playbooks/resume/", runs.resume, name="playbooks_resume"),
    path("playbooks/", playbook_list.playbooks, name="playbooks"),
    path("playbooks/<int:pk>/enabled/", playbook_list.playbook_toggle, name="playbook_toggle"),
]
