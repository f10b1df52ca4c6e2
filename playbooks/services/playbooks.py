"""Enabling, pausing and (later) editing playbooks; the built-in templates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop, ngettext
from django.utils.translation import gettext_lazy as _

from accounts.activity import record
from accounts.models import Account, User
from portal.i18n import read_stored

from .. import detectors
from ..builtins import BUILT_IN
from ..conditions import check_conditions, matching_accounts, reason
from ..conditions import describe as conditions_in_words
from ..models import (
    AccountPause,
    Playbook,
    PlaybookRun,
    PlaybookStep,
    RunStatus,
    RunStep,
    StepKind,
    StepStatus,
    StopIf,
)
from ..params import check
from ..steps import load
from ..triggers import TRIGGERS
from ..words import Said, choice, recorded, say, say_plural, words
from .runs import copy_step


@transaction.atomic
def set_playbook_enabled(playbook: Playbook, enabled: bool, *, acting_user: User) -> Playbook:
    if playbook.enabled != enabled:
        playbook.enabled = enabled
        playbook.save(update_fields=["enabled", "updated_at"])
        record(
            gettext_noop("enabled a playbook") if enabled else gettext_noop("paused a playbook"),
            actor=acting_user,
            target=playbook,
            internal=True,
        )
    return playbook


def ensure_built_in_playbooks() -> int:
    """Create the built-in playbooks (:mod:`playbooks.builtins`) that are missing, paused, and
    the e-mails they send; returns how many playbooks. Edits made to existing ones are kept."""
    from .emails import ensure_built_in_email_templates

    ensure_built_in_email_templates()
    created = 0
    for spec in BUILT_IN:
        if Playbook.objects.filter(key=spec["key"]).exists():
            continue
        playbook = Playbook.objects.create(
            key=spec["key"],
            name=spec["name"],
            description=spec["description"],
            trigger=spec["trigger"],
            trigger_params=spec.get("trigger_params", {}),
        )
        for position, step in enumerate(spec["steps"]):
            PlaybookStep.objects.create(playbook=playbook, position=position, **step)
        created += 1
    return created


# Creating and editing -----------------------------------------------------------------------

MAX_DELAY_DAYS = 365
MAX_STEPS = 20


class PlaybookInvalid(Exception):
    """A playbook the editor may not save: each problem in words, with where it is
    (``"name"``, ``"trigger"``, ``"conditions"``, ``"step-1"`` …) so the form can show it there."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(message for _, message in problems))
        self.problems = problems

    @property
    def errors(self) -> list[str]:
        return [message for _, message in self.problems]

    def at(self, where: str) -> list[str]:
        return [message for place, message in self.problems if place == where]


class PlaybookRefused(Exception):
    """An action the playbook does not allow (deleting a built-in one), in words."""


def step_label(position: int, kind: str) -> str:
    """ "Step 2 (Send an e-mail)", as every message about a step begins."""
    if kind in StepKind.values:
        return gettext("Step %(number)s (%(kind)s)") % {
            "number": position + 1,
            "kind": StepKind(kind).label,
        }
    return gettext("Step %(number)s") % {"number": position + 1}


def _sentence(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text


def clean_playbook(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` (as the editor posts it: strings and lists) checked and cleaned, or
    :class:`PlaybookInvalid` naming every problem."""
    problems: list[tuple[str, str]] = []
    name = str(data.get("name") or "").strip()
    if not name:
        problems.append(("name", gettext("Give the playbook a name.")))
    elif len(name) > 120:
        problems.append(("name", gettext("The name is too long (at most 120 characters).")))
    description = str(data.get("description") or "").strip()
    if len(description) > 2000:
        problems.append(
            ("description", gettext("The description is too long (at most 2,000 characters)."))
        )
    trigger_kind = str(data.get("trigger") or "")
    trigger = TRIGGERS.get(trigger_kind)
    trigger_params: dict[str, Any] = {}
    if trigger is None:
        problems.append(("trigger", gettext("Choose what the playbook starts from (its trigger).")))
    else:
        trigger_params, errors = check(trigger.fields, data.get("trigger_params") or {})
        problems += [
            ("trigger", gettext("Trigger settings: %(error)s") % {"error": _sentence(e)})
            for e in errors
        ]
    conditions, errors = check_conditions(data.get("conditions") or {})
    problems += [
        ("conditions", gettext("Conditions: %(error)s") % {"error": _sentence(e)}) for e in errors
    ]
    raw_steps = list(data.get("steps") or [])
    if not raw_steps:
        problems.append(
            ("steps", gettext("Add at least one step: a playbook with none does nothing."))
        )
    if len(raw_steps) > MAX_STEPS:
        problems.append(
            ("steps", gettext("A playbook has at most %(count)s steps.") % {"count": MAX_STEPS})
        )
    kinds = load()
    steps = []
    for position, raw in enumerate(raw_steps[:MAX_STEPS]):
        kind = str(raw.get("kind") or "")
        label, where = step_label(position, kind), f"step-{position}"
        spec = kinds.get(kind)
        if spec is None:
            problems.append(
                (
                    where,
                    gettext("%(step)s: there is no step “%(kind)s” in this portal.")
                    % {"step": label, "kind": kind},
                )
            )
            continue
        try:
            delay = int(raw.get("delay_days") or 0)
        except (TypeError, ValueError):
            delay = -1
        if not 0 <= delay <= MAX_DELAY_DAYS:
            problems.append(
                (
                    where,
                    gettext("%(step)s: the delay must be a whole number of days from 0 to 365.")
                    % {"step": label},
                )
            )
        stop_if = str(raw.get("stop_if") or "")
        if stop_if not in StopIf.values:
            problems.append(
                (
                    where,
                    gettext("%(step)s: choose when the step stops from the list.")
                    % {"step": label},
                )
            )
        params, errors = check(spec.fields, raw.get("params") or {})
        if not errors:
            errors = spec.validate(params)
        problems += [
            (where, gettext("%(step)s: %(error)s") % {"step": label, "error": _sentence(e)})
            for e in errors
        ]
        if trigger is not None and trigger_kind in spec.raises:
            problems.append(
                (
                    where,
                    gettext(
                        "%(step)s raises “%(trigger)s”, this playbook's own trigger: "
                        "it would run forever."
                    )
                    % {"step": label, "trigger": trigger.label},
                )
            )
        # "Stop if" only means something for a step that waits.
        steps.append(
            {
                "kind": kind,
                "delay_days": delay,
                "stop_if": stop_if if delay else "",
                "params": params,
            }
        )
    if problems:
        raise PlaybookInvalid(problems)
    return {
        "name": name,
        "description": description,
        "trigger": trigger_kind,
        "trigger_params": trigger_params,
        "conditions": conditions,
        "steps": steps,
    }


def _step_said(step: PlaybookStep) -> Said:
    label = say(
        gettext_noop("Step %(number)s (%(kind)s)"),
        number=step.position + 1,
        kind=choice(StepKind, step.kind),
    )
    return say_plural("step_after", step.delay_days, step=label) if step.delay_days else label


def summary(playbook: Playbook) -> dict[str, Any]:
    """What an edit's activity shows before and after."""
    return {
        "name": playbook.name,
        "trigger": playbook.trigger,  # named by the field's choices when read
        "trigger_params": playbook.trigger_params,
        "conditions": conditions_in_words(playbook.conditions or {}),
        # Worded when read, in the reader's language (:func:`playbooks.words.recorded`).
        "steps": [recorded(_step_said(s)) for s in playbook.steps.all()],
        "version": playbook.version,
    }


@transaction.atomic
def save_playbook(
    playbook: Playbook | None,
    *,
    data: dict[str, Any],
    apply_to_runs: bool,
    acting_user: User,
) -> Playbook:
    """Create a playbook (``playbook`` None) or edit one: checked whole first, then saved whole
    (its steps replaced, its version raised), or nothing saved and :class:`PlaybookInvalid`.

    Runs under way keep the steps they were copied with unless ``apply_to_runs``: then each
    running run's waiting steps give way to the new steps from the first waiting position on
    (finished steps stay), each due at the run's start plus its delay.
    """
    clean = clean_playbook(data)
    creating = playbook is None
    if playbook is None:
        playbook = Playbook(version=1)
        before = None
    else:
        playbook = Playbook.objects.select_for_update().get(pk=playbook.pk)
        before = summary(playbook)
        playbook.version += 1
    for name in ("name", "description", "trigger", "trigger_params", "conditions"):
        setattr(playbook, name, clean[name])
    playbook.save()
    playbook.steps.all().delete()
    PlaybookStep.objects.bulk_create(
        PlaybookStep(playbook=playbook, position=position, **step)
        for position, step in enumerate(clean["steps"])
    )
    updated = _apply_to_runs(playbook) if apply_to_runs and not creating else 0
    after = summary(playbook)
    if updated:
        after["runs_updated"] = updated
    record(
        gettext_noop("created a playbook") if creating else gettext_noop("edited a playbook"),
        actor=acting_user,
        target=playbook,
        before=before,
        after=after,
        internal=True,
    )
    return playbook


def _apply_to_runs(playbook: Playbook) -> int:
    """Give the running runs of ``playbook`` its new steps from their first waiting step on;
    returns how many runs changed."""
    steps = list(playbook.steps.all())
    runs = list(
        PlaybookRun.objects.filter(playbook=playbook, status=RunStatus.RUNNING).prefetch_related(
            "run_steps"
        )
    )
    changed: list[PlaybookRun] = []
    replaced: list[int] = []
    created: list[RunStep] = []
    for run in runs:
        waiting = [s for s in run.run_steps.all() if s.status == StepStatus.WAITING]
        if not waiting:
            continue
        start = min(s.position for s in waiting)
        finished = {s.position for s in run.run_steps.all() if s.status != StepStatus.WAITING}
        replaced += [s.pk for s in waiting]
        fresh = [
            copy_step(run, step.position, step, run.created_at)
            for step in steps
            if step.position >= start and step.position not in finished
        ]
        created += fresh
        if not fresh:  # the edit left this run nothing to wait for: it is done
            run.status, run.finished_at = RunStatus.DONE, timezone.now()
        run.playbook_version = playbook.version
        changed.append(run)
    RunStep.objects.filter(pk__in=replaced).delete()
    RunStep.objects.bulk_create(created)
    PlaybookRun.objects.bulk_update(changed, ["playbook_version", "status", "finished_at"])
    return len(changed)


@transaction.atomic
def delete_playbook(playbook: Playbook, *, acting_user: User) -> None:
    """Delete a playbook made here that never ran; a built-in one, or one with runs (their
    history), is paused instead."""
    if playbook.key:
        raise PlaybookRefused(gettext("A built-in playbook cannot be deleted: pause it instead."))
    if playbook.runs.exists():
        raise PlaybookRefused(
            gettext("This playbook has run: deleting it would lose its history. Pause it instead.")
        )
    record(
        gettext_noop("deleted a playbook"),
        actor=acting_user,
        target=playbook,
        before=summary(playbook),
        internal=True,
    )
    playbook.delete()


# Preview ------------------------------------------------------------------------------------

PREVIEW_ROWS = 50


@dataclass(frozen=True)
class PreviewStep:
    label: str
    when: str
    does: str


@dataclass(frozen=True)
class PreviewRow:
    account: Account
    why: str
    steps: list[PreviewStep]


@dataclass(frozen=True)
class Preview:
    playbook: Playbook
    # How the trigger picks accounts now, in words.
    trigger_says: str
    conditions_say: str
    rows: list[PreviewRow]
    total: int
    paused: int
    scanned: bool
    has_detector: bool


# What stops a waiting step, after "unless:" in the preview.
UNLESS: dict[str, Any] = {
    StopIf.LOGGED_IN: _("someone from the account logs in"),
    StopIf.TASK_DONE: _("the run's task is done"),
    StopIf.ANSWERED: _("the account answers a survey"),
}


def _when(step: PlaybookStep) -> str:
    if not step.delay_days:
        return gettext("at once")
    days = step.delay_days
    if step.stop_if:
        return ngettext(
            "after %(count)s day, unless: %(stop)s",
            "after %(count)s days, unless: %(stop)s",
            days,
        ) % {"count": days, "stop": UNLESS.get(step.stop_if, "")}
    return ngettext("after %(count)s day", "after %(count)s days", days) % {"count": days}


def found_why(why: Any) -> str:
    """Why a detector found an account, in the active language: a stored text (the portal's,
    :class:`portal.i18n.StoredText`, as a health part's ``why_text``, or a run's,
    :mod:`playbooks.words`) worded now; a text stored as written (a health part's ``why`` from
    a score stored before whys were stored texts, in its account's language) as is."""
    if isinstance(why, dict):
        if isinstance(why.get("message"), str):
            return read_stored(why)
        return words(why)
    return str(why or "")


def preview(playbook: Playbook, *, now: datetime, limit: int = PREVIEW_ROWS) -> Preview:
    """Who the playbook would act on now, why, and what each step would do for them: read
    only (and inside a transaction rolled back, so a step's description can write nothing).

    A scanned trigger with a detector asks it for today's candidates; any other trigger fires
    when its signal happens, so every account meeting the conditions is shown. Paused accounts
    are left out, as the run engine leaves them. The same queries for 5 accounts or 5,000
    (plus what the step kinds' descriptions read for the ``limit`` rows shown)."""
    with transaction.atomic():
        result = _preview(playbook, now=now, limit=limit)
        transaction.set_rollback(True)
    return result


def _preview(playbook: Playbook, *, now: datetime, limit: int) -> Preview:
    trigger = TRIGGERS.get(playbook.trigger)
    detector = detectors.load().get(playbook.trigger)
    accounts = Account.objects.all()
    candidates: dict[int, detectors.Candidate] = {}
    if trigger is not None and trigger.scanned and detector is not None:
        for candidate in detector(playbook.trigger_params or {}, now):
            candidates.setdefault(candidate.account_id, candidate)
        accounts = accounts.filter(pk__in=list(candidates))
        trigger_says = gettext("“%(trigger)s” holds today for these accounts") % {
            "trigger": trigger.label
        }
    else:
        label = trigger.label if trigger else playbook.get_trigger_display()
        trigger_says = gettext(
            "Fires when “%(trigger)s” happens; these accounts meet the conditions now"
        ) % {"trigger": label}
    paused_now = AccountPause.objects.filter(account=OuterRef("pk"))
    found = matching_accounts(playbook, accounts, today=now.date()).annotate(
        paused=Exists(paused_now)
    )
    total = found.filter(paused=False).count()
    paused = found.filter(paused=True).count()
    steps = list(playbook.steps.all())
    kinds = load()
    rows = []
    for account in found.filter(paused=False).order_by("name", "pk")[:limit]:
        why = reason(playbook.conditions or {}, account, today=now.date())
        found_by = candidates.get(account.pk)
        if found_by is not None:
            data = found_by.data
            noted = found_why(data.get("why_text") or data.get("why")) or gettext(
                "%(trigger)s now"
            ) % {"trigger": trigger.label if trigger else ""}
            why = gettext("%(found)s; %(why)s") % {"found": noted, "why": why} if why else noted
        rows.append(
            PreviewRow(
                account=account,
                why=why or gettext("no conditions: every account"),
                steps=[
                    PreviewStep(
                        label=step_label(step.position, step.kind),
                        when=_when(step),
                        does=(
                            kinds[step.kind].describe(step.params or {}, account)
                            if step.kind in kinds
                            else gettext("nothing: this portal has no such step")
                        ),
                    )
                    for step in steps
                ],
            )
        )
    return Preview(
        playbook=playbook,
        trigger_says=trigger_says,
        conditions_say=conditions_in_words(playbook.conditions or {}),
        rows=rows,
        total=total,
        paused=paused,
        scanned=bool(trigger and trigger.scanned),
        has_detector=detector is not None,
    )
