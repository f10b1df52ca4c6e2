"""Create a task for the account's owner CSM: title, due in N days, priority, and why."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop, ngettext
from django.utils.translation import gettext_lazy as _

from accounts.activity import entry_for, record, record_many
from accounts.models import Account, User
from portal.i18n import language_or_default

from ..models import CSMTask, Priority, StepKind
from ..params import ParamField
from ..services.csm_tasks import announce_assignment_on_commit, announce_assignments_on_commit
from . import Outcome, StepContext, StepKindSpec, preview_text, register

FIELDS = [
    ParamField("title", _("Task title"), max_length=200, help=_("Merge fields: {person}, {score}, {account}.")),
    ParamField("due_in_days", _("Due in (days)"), kind="int", minimum=0, maximum=365, default=0, required=False),
    ParamField("priority", _("Priority"), kind="choice", choices=lambda: Priority.choices, default=Priority.NORMAL, required=False),
    ParamField("reason", _("Why"), kind="longtext", required=False, max_length=1000),
]  # fmt: skip


def run(context: StepContext) -> Outcome:
    task = _task_for(context)
    if task is None:
        return NO_OWNER
    task.save(force_insert=True)
    record(
        gettext_noop("created a task"),
        actor=None,
        account=context.account,
        target=task,
        internal=True,
    )
    announce_assignment_on_commit(task, acting_user=None)
    return _done(task)


def run_many(contexts: list[StepContext]) -> list[Outcome]:
    """:func:`run` for many steps: the tasks, their activity entries and their assignment
    e-mails' jobs each written in one insert."""
    tasks = [_task_for(context) for context in contexts]
    made = [task for task in tasks if task is not None]
    CSMTask.objects.bulk_create(made)
    record_many(
        [
            entry_for(
                gettext_noop("created a task"),
                actor=None,
                account=task.account,
                target=task,
                internal=True,
            )
            for task in made
        ]
    )
    announce_assignments_on_commit(made)
    return [NO_OWNER if task is None else _done(task) for task in tasks]


NO_OWNER = Outcome.skipped(gettext_noop("the account has no owner CSM"))


def _task_for(context: StepContext) -> CSMTask | None:
    """The task the step makes, not saved yet; None when the account has no owner."""
    account, run_ = context.account, context.run
    if account.owner is None:
        return None
    params = context.params
    # Written once, for the CSM it is for: in their language (a built-in playbook's text as
    # shipped, the reason it fired), else their account's.
    with translation.override(task_language(account.owner, account)):
        reason = context.worded(params.get("reason") or "{why}").strip()
        comment = context.merge.get("comment")
        if comment:
            reason = gettext("%(reason)s\nThey said: “%(comment)s”") % {
                "reason": reason,
                "comment": comment,
            }
        title = context.worded(params.get("title") or gettext("Follow up"))[:200]
    return CSMTask(
        account=account,
        assignee=account.owner,
        title=title,
        due_on=timezone.localdate() + timedelta(days=int(params.get("due_in_days") or 0)),
        priority=params.get("priority") or Priority.NORMAL,
        reason=reason,
        event=context.event,
        run=run_,
    )


def task_language(owner: User, account: Account) -> str:
    """The language a task for ``owner`` is written in: the one they chose, else the
    account's (the language the CSM works with it in), else the site's."""
    return language_or_default(owner.language or account.language)


def _done(task: CSMTask) -> Outcome:
    return Outcome.done(
        gettext_noop("task “%(title)s” for %(owner)s"), title=task.title, owner=str(task.assignee)
    )


def describe(params: dict[str, Any], account: Account) -> str:
    owner = (
        account.owner.display_name if account.owner else gettext("nobody (no owner CSM: skipped)")
    )
    due = int(params.get("due_in_days") or 0)
    if due == 0:
        when = gettext("due today")
    else:
        when = ngettext("due in %(count)s day", "due in %(count)s days", due) % {"count": due}
    title = preview_text(params.get("title") or gettext("Follow up"), account)
    return gettext("a task “%(title)s” for %(owner)s, %(when)s") % {
        "title": title,
        "owner": owner,
        "when": when,
    }


register(StepKindSpec(StepKind.CREATE_TASK, FIELDS, run, describe, run_many=run_many))
