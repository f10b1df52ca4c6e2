"""Firing playbooks on an event: one run per playbook, account and event, its steps copied
from the playbook; the steps due now run at once, the delayed ones wait for the scheduler.

The life of a step: ``waiting`` (with its ``due_at``) -> ``running`` (claimed by the scheduler
or by the step before it, and handed to a ``playbooks.run_step`` job; a failing step stays
running while the job helper retries it) -> ``done``, ``skipped``, ``failed`` or ``stopped``.
Only the first unfinished step of a run is ever claimed, so a later step never runs before an
earlier one. A failed step does not hold up the steps after it; a stop condition that has
happened stops the step and every later one. While playbooks are paused on an account, no run
starts there and its waiting steps keep waiting: they run after the resume, if still due.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, TextChoices
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from accounts.activity import entry_for, record, record_many
from accounts.models import Account, PortalVisit, Segment, Stage, TouchModel, User
from insights.models import HealthBand
from portal.jobs import enqueue, enqueue_many

from ..conditions import matches_said
from ..models import (
    AccountPause,
    CSMTask,
    Event,
    EventKind,
    Playbook,
    PlaybookRun,
    PlaybookStep,
    RunStatus,
    RunStep,
    StepKind,
    StepStatus,
    StopIf,
)
from ..steps import Outcome, StepContext, StepFailed, StepKindSpec, load
from ..triggers import TRIGGERS
from ..words import Said, choice, day, listed, recorded, say, say_plural, words

log = logging.getLogger(__name__)

RUN_STEP_TASK = "playbooks.run_step"
# A step not finished yet: the scheduler holds every later step of its run back.
UNFINISHED = (StepStatus.WAITING, StepStatus.RUNNING)
# How many due steps one pass of the scheduler hands out; the next pass takes the rest.
BATCH = 500


# What a changed-event's "from" and "to" are, to name them in words.
CHANGED_FIELDS: dict[str, type[TextChoices]] = {
    EventKind.STAGE_CHANGED: Stage,
    EventKind.SEGMENT_CHANGED: Segment,
    EventKind.TOUCH_MODEL_CHANGED: TouchModel,
}


def _label(choices: type[TextChoices] | None, value: Any) -> Said:
    if value in (None, ""):
        return say(gettext_noop("none"))
    if choices is not None:
        return choice(choices, value)
    return say("%(value)s", value=str(value).replace("_", " "))


def describe_event_said(event: Event) -> Said:
    """Why a playbook fired, as a run keeps it: the signal and what it found."""
    data = event.data or {}
    signal = choice(EventKind, event.kind)
    if data.get("survey_kind") and "score" in data:
        return say(
            gettext_noop("%(signal)s: %(survey)s %(score)s"),
            signal=signal,
            survey=str(data["survey_kind"]).upper(),
            score=str(data["score"]),
        )
    if event.kind == EventKind.SENTIMENT_NEGATIVE and data.get("excerpt"):
        return say(
            gettext_noop("%(signal)s: “%(excerpt)s”"),
            signal=signal,
            excerpt=str(data["excerpt"])[:120],
        )
    if event.kind == EventKind.HEALTH_BAND_CHANGED:
        return say(
            gettext_noop("%(signal)s: %(before)s to %(after)s"),
            signal=signal,
            before=_label(HealthBand, data.get("from_band")),
            after=_label(HealthBand, data.get("to_band")),
        )
    if "from" in data and "to" in data and event.kind != EventKind.OWNER_CHANGED:
        choices = CHANGED_FIELDS.get(event.kind)
        return say(
            gettext_noop("%(signal)s: %(before)s to %(after)s"),
            signal=signal,
            before=_label(choices, data["from"]),
            after=_label(choices, data["to"]),
        )
    if "days_left" in data:
        return say_plural("renews_in", int(data["days_left"]), signal=signal)
    if "days_dark" in data:
        return say_plural("dark_for", int(data["days_dark"]), signal=signal)
    if "percent" in data and "seats_used" in data:
        return say(
            gettext_noop("%(signal)s: %(used)s of %(bought)s seats used"),
            signal=signal,
            used=str(data["seats_used"]),
            bought=str(data.get("seats_bought", "?")),
        )
    return signal


def describe_event(event: Event) -> str:
    """Why a playbook fired, in words (the active language's)."""
    return words(describe_event_said(event))


def _reason(event: Event, why: Said | str | None) -> Said:
    """Why a run fired, as it keeps it: the event, and why the conditions held if any."""
    if not why or why == listed([]):
        return describe_event_said(event)
    return say(gettext_noop("%(event)s (%(why)s)"), event=describe_event_said(event), why=why)


def _note(step: RunStep, said: Said) -> None:
    """``said`` as the step's detail: kept for the readers' languages, and in words."""
    step.said = said
    step.detail = words(said)[:500]


class Shared:
    """What evaluating events of one kind shares, read once for a whole batch of them (the
    scan's): the paused accounts among theirs, their accounts with owners, and the enabled
    playbooks of the kind with their steps. Four queries, however many events."""

    def __init__(self, kind: str, account_ids: list[int]) -> None:
        ids = sorted(set(account_ids))
        self.kind = kind
        self.paused = set(
            AccountPause.objects.filter(account_id__in=ids).values_list("account_id", flat=True)
        )
        self.accounts = Account.objects.select_related("owner").in_bulk(ids)
        self.playbooks = list(
            Playbook.objects.filter(enabled=True, trigger=kind).prefetch_related("steps")
        )


def evaluate_event(event: Event, *, shared: Shared | None = None) -> list[PlaybookRun]:
    """Run every enabled playbook whose trigger is ``event``'s kind on its account, once.
    ``shared``: what a batch of events of this kind read at once (:class:`Shared`)."""
    if shared is None or shared.kind != event.kind:
        shared = Shared(event.kind, [event.account_id])
    runs = []
    for playbook, account, why in _due_runs(event, shared):
        run = run_playbook(playbook, account, event, why=why)
        if run is not None:
            runs.append(run)
    return runs


def _due_runs(event: Event, shared: Shared) -> list[tuple[Playbook, Account, Said]]:
    """The (playbook, account, why) that ``event`` fires: its account not paused, the
    playbook's trigger accepting the event and its conditions matching the account."""
    if event.account_id in shared.paused:
        return []
    account = shared.accounts.get(event.account_id)
    if account is None:
        return []  # deleted since: its events went with it
    trigger = TRIGGERS[event.kind]
    due = []
    for playbook in shared.playbooks:
        if not trigger.accepts(playbook.trigger_params or {}, event.data or {}):
            continue
        why = matches_said(playbook, account)
        if why is None:
            continue
        due.append((playbook, account, why))
    return due


def evaluate_events(events: list[Event], shared: Shared) -> list[PlaybookRun]:
    """:func:`evaluate_event` for a batch of events of ``shared``'s kind (the scan's), with
    the same runs, steps, tasks and timeline, in a few inserts for the whole batch.

    The runs of a playbook whose steps due now all have a batch form
    (:attr:`StepKindSpec.run_many`) are written together; any other playbook's run fires on
    its own (:func:`run_playbook`), as does every run of the batch if writing them together
    fails (a step that raised, a run recorded meanwhile by someone else), so each step keeps
    its own failure and retry."""
    due = [(p, a, e, why) for e in events for p, a, why in _due_runs(e, shared)]
    if not due:
        return []
    fired = {
        (playbook_id, event_id)
        for playbook_id, event_id in PlaybookRun.objects.filter(
            event_id__in={e.pk for e in events}
        ).values_list("playbook_id", "event_id")
    }
    due = [d for d in due if (d[0].pk, d[2].pk) not in fired]
    kinds = load()
    together = [d for d in due if _batchable(d[0], kinds)]
    runs: list[PlaybookRun] = []
    if together:
        try:
            with transaction.atomic():
                runs = _fire_together(together, kinds)
        except Exception:
            log.exception("firing %s playbook runs together failed: firing each", len(together))
            runs = []
            alone = due
        else:
            alone = [d for d in due if not _batchable(d[0], kinds)]
    else:
        alone = due
    for playbook, account, event, why in alone:
        run = run_playbook(playbook, account, event, why=why)
        if run is not None:
            runs.append(run)
    return runs


def _batchable(playbook: Playbook, kinds: dict[str, StepKindSpec]) -> bool:
    """Whether every step of ``playbook`` due at once has a batch form."""
    for step in playbook.steps.all():
        if step.delay_days:
            continue
        spec = kinds.get(step.kind)
        if spec is None or spec.run_many is None:
            return False
    return True


def _fire_together(
    due: list[tuple[Playbook, Account, Event, Said]], kinds: dict[str, StepKindSpec]
) -> list[PlaybookRun]:
    """What :func:`run_playbook` does for each of ``due``, every step due now run by its
    kind's batch form (none of which leaves a step running), in a few queries for all."""
    now = timezone.now()
    people, comments = _merge_sources([event for _, _, event, _ in due])
    runs, reasons = [], []
    for playbook, account, event, why in due:
        said = _reason(event, why)
        reason = words(said)
        reasons.append(said)
        steps = list(playbook.steps.all())
        delayed = any(step.delay_days for step in steps)
        runs.append(
            PlaybookRun(
                playbook=playbook,
                account=account,
                event=event,
                reason=reason[:300],
                said=said,
                playbook_version=playbook.version,
                created_at=now,
                # The steps due now all finish as the run fires: only a delayed one waits.
                status=RunStatus.RUNNING if delayed else RunStatus.DONE,
                finished_at=None if delayed else now,
            )
        )
    PlaybookRun.objects.bulk_create(runs)
    run_steps: list[RunStep] = []
    pending: dict[str, list[tuple[RunStep, StepContext]]] = {}
    for run, (playbook, account, event, _) in zip(runs, due, strict=True):
        merge = _merge(event, account, run, people, comments)
        for position, step in enumerate(playbook.steps.all()):
            run_step = copy_step(run, position, step, now)
            run_steps.append(run_step)
            if not step.delay_days:
                context = StepContext(
                    run=run,
                    account=account,
                    event=event,
                    position=position,
                    params=step.params or {},
                    merge=merge,
                )
                pending.setdefault(step.kind, []).append((run_step, context))
    for kind, work in pending.items():
        run_many = kinds[kind].run_many
        assert run_many is not None  # _batchable said so
        outcomes = run_many([context for _, context in work])
        finished = timezone.now()
        for (run_step, _), outcome in zip(work, outcomes, strict=True):
            run_step.attempts = 1
            run_step.status = outcome.status
            _note(run_step, say(outcome.said) if isinstance(outcome.said, str) else outcome.said)
            run_step.finished_at = finished
    RunStep.objects.bulk_create(run_steps)
    steps_of: dict[int, list[dict[str, Said] | str]] = {}
    for run_step in run_steps:
        steps_of.setdefault(run_step.run.pk, []).append(recorded(run_step.said or run_step.detail))
    record_many(
        [
            entry_for(
                gettext_noop("ran"),
                actor=None,
                account=run.account,
                target=run,
                after={"why": recorded(reason), "steps": steps_of.get(run.pk, [])},
                internal=True,
            )
            for run, reason in zip(runs, reasons, strict=True)
        ]
    )
    return runs


def run_playbook(
    playbook: Playbook, account: Account, event: Event, *, why: Said | str | None = None
) -> PlaybookRun | None:
    """Fire ``playbook`` for ``event``; None when it already fired for it (a second delivery).

    The steps due now run at once, in order. One that fails is handed to a job to be retried
    (the run is kept either way) and the steps after it wait for it; delayed steps wait for
    the scheduler."""
    said = _reason(event, why)
    reason = words(said)
    now = timezone.now()
    try:
        with transaction.atomic():
            run = PlaybookRun.objects.create(
                playbook=playbook,
                account=account,
                event=event,
                reason=reason[:300],
                said=said,
                playbook_version=playbook.version,
                created_at=now,
            )
            steps = RunStep.objects.bulk_create(
                copy_step(run, position, step, now)
                for position, step in enumerate(playbook.steps.all())
            )
            merge = merge_fields(event, account, run)
            held_back = False
            for step in steps:
                if step.delay_days:
                    continue  # its detail says so already
                if held_back:
                    _note(step, say(gettext_noop("waits for the step before it")))
                    step.save(update_fields=["detail", "said"])
                    continue
                run_step(step, run, merge=merge)
                held_back = step.status == StepStatus.RUNNING
            _finish_if_done(run, steps)
            record(
                gettext_noop("ran"),  # "The portal ran playbook “Detractor follow-up”"
                actor=None,
                account=account,
                target=run,
                after={
                    "why": recorded(said),
                    "steps": [recorded(s.said or s.detail) for s in steps],
                },
                internal=True,
            )
    except IntegrityError:
        return None  # fired already for this event: the unique run says so
    return run


def run_step(step: RunStep, run: PlaybookRun, *, merge: dict[str, Any]) -> RunStep:
    """Do one step now, as the run fires, and record its outcome on it. A step that fails is
    left running and handed to a job, which retries it."""
    step.attempts += 1
    try:
        outcome = _perform(step, run, merge)
    except StepFailed as failure:
        step.status = StepStatus.RUNNING
        _note(step, _retrying(step, str(failure)))
        step.save(update_fields=["status", "detail", "said", "attempts"])
        enqueue(RUN_STEP_TASK, step_id=step.pk)
        return step
    _settle(step, outcome)
    return step


def _perform(step: RunStep, run: PlaybookRun, merge: dict[str, Any]) -> Outcome:
    """The step's work, in a savepoint. Raises StepFailed for anything worth retrying (an
    unexpected error included); a step kind this portal does not have fails for good."""
    spec = load().get(step.kind)
    if spec is None:
        return Outcome(
            "failed", say(gettext_noop("this portal has no step “%(kind)s”"), kind=step.kind)
        )
    context = StepContext(
        run=run,
        account=run.account,
        event=run.event,
        position=step.position,
        params=step.params or {},
        merge=merge,
    )
    try:
        with transaction.atomic():
            return spec.run(context)
    except StepFailed:
        raise
    except Exception as error:  # a bug or an outage in the step: retried like a StepFailed
        log.exception("playbook step %s failed", step.pk)
        raise StepFailed(
            gettext("an unexpected error (%(error)s)")
            % {"error": f"{type(error).__name__}: {error}"}
        ) from error


def _retrying(step: RunStep, reason: str) -> Said:
    return say(
        gettext_noop("attempt %(attempt)s failed: %(reason)s; trying again"),
        attempt=step.attempts,
        reason=reason[:400],
    )


def _settle(step: RunStep, outcome: Outcome) -> None:
    step.status = outcome.status
    _note(step, say(outcome.said) if isinstance(outcome.said, str) else outcome.said)
    step.finished_at = timezone.now()
    step.save(update_fields=["status", "detail", "said", "attempts", "finished_at"])


def _waits(days: int) -> Said:
    return say_plural("waits", days)


def copy_step(run: PlaybookRun, position: int, step: PlaybookStep, started: datetime) -> RunStep:
    """``step`` as ``run`` keeps it (unsaved): a later edit of the playbook leaves it be.
    Due ``step.delay_days`` after ``started``; a delayed one says it waits."""
    return RunStep(
        run=run,
        position=position,
        kind=step.kind,
        params=step.params,
        delay_days=step.delay_days,
        stop_if=step.stop_if,
        due_at=started + timedelta(days=step.delay_days),
        detail=words(_waits(step.delay_days)) if step.delay_days else "",
        said=_waits(step.delay_days) if step.delay_days else {},
    )


def _finish_if_done(run: PlaybookRun, steps: list[RunStep] | None = None) -> None:
    """A run whose steps are all finished is done (a stopped run stays stopped). ``steps``:
    all of the run's steps as they are now (the run just fired), saving the look-up."""
    if run.status != RunStatus.RUNNING:
        return
    if steps is not None:
        unfinished = any(s.status in UNFINISHED for s in steps)
    else:
        unfinished = run.run_steps.filter(status__in=UNFINISHED).exists()
    if not unfinished:
        run.status = RunStatus.DONE
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "finished_at"])


# The scheduler ----------------------------------------------------------------------------------


def due_steps(now: datetime) -> QuerySet[RunStep]:
    """Waiting steps due by ``now`` that may run: their run is under way, the account is not
    paused, and no earlier step of the run is unfinished (one step per run at most)."""
    earlier_unfinished = RunStep.objects.filter(
        run=OuterRef("run"), position__lt=OuterRef("position"), status__in=UNFINISHED
    )
    paused = AccountPause.objects.filter(account=OuterRef("run__account"))
    return RunStep.objects.filter(
        status=StepStatus.WAITING, due_at__lte=now, run__status=RunStatus.RUNNING
    ).exclude(Q(Exists(earlier_unfinished)) | Q(Exists(paused)))


def run_due_steps(now: datetime | None = None) -> int:
    """Hand every due step to its own job (so one failing account holds up no other); returns
    how many. The same few queries for 1 step as for 500.

    A step is claimed by moving it from waiting to running in the same transaction that
    records its job: on PostgreSQL the candidates are locked with SKIP LOCKED, so two
    schedulers at once take different steps; on SQLite writes are serialised, and a second
    scheduler that read before the first committed fails to write rather than claim twice."""
    now = now or timezone.now()
    with transaction.atomic():
        claimable = (
            due_steps(now)
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("due_at", "pk")
            .values_list("pk", flat=True)
        )
        pks = list(claimable[:BATCH])
        if not pks:
            return 0
        RunStep.objects.filter(pk__in=pks, status=StepStatus.WAITING).update(
            status=StepStatus.RUNNING, detail=words(ABOUT_TO_RUN), said=ABOUT_TO_RUN
        )
        enqueue_many(RUN_STEP_TASK, [{"step_id": pk} for pk in pks])
    return len(pks)


def run_due_step(step_id: int) -> str:
    """The job for one claimed step: check the pause and the stop condition, do the step,
    record it on the account's timeline, then hand on to the run's next step if it is due.

    Raises StepFailed when the step failed, after saving the attempt, so that the job helper
    retries it; :func:`give_up_step` records the failure when it stops retrying."""
    with transaction.atomic():
        step = (
            RunStep.objects.select_for_update(of=("self",))
            .select_related("run__account__owner", "run__event", "run__playbook")
            .filter(pk=step_id, status=StepStatus.RUNNING)
            .first()
        )
        if step is None:
            return "nothing to do"  # done already: a second delivery
        run = step.run
        if is_paused(run.account_id):
            step.status = StepStatus.WAITING
            _note(step, say(gettext_noop("held: playbooks are paused on this account")))
            step.save(update_fields=["status", "detail", "said"])
            return "paused"
        stopped_by = stop_said(run, step.stop_if) if step.stop_if else None
        if stopped_by:
            stop_run(run, step, stopped_by)
            return "stopped"
        step.attempts += 1
        try:
            outcome = _perform(step, run, merge_fields(run.event, run.account, run))
        except StepFailed as failure:
            _note(step, _retrying(step, str(failure)))
            step.save(update_fields=["attempts", "detail", "said"])
            error = failure
        else:
            _settle(step, outcome)
            _record_step(step, run)
            _carry_on(run)
            return step.status
    raise error  # outside the transaction, so the attempt is kept


def give_up_step(step_id: int, error: str) -> None:
    """The job helper stopped retrying: the step failed, for the reason shown on the run. The
    steps after it still run."""
    reason = error.removeprefix("StepFailed: ")
    with transaction.atomic():
        step = (
            RunStep.objects.select_for_update(of=("self",))
            .select_related("run__account", "run__playbook")
            .filter(pk=step_id, status=StepStatus.RUNNING)
            .first()
        )
        if step is None:
            return
        step.status = StepStatus.FAILED
        _note(step, say_plural("failed_after", step.attempts, reason=reason[:400]))
        step.finished_at = timezone.now()
        step.save(update_fields=["status", "detail", "said", "finished_at"])
        _record_step(step, step.run)
        _carry_on(step.run)


def _carry_on(run: PlaybookRun) -> None:
    """After a step finished: hand the run's next step to a job if it is due now (rather than
    wait for the scheduler's next pass), or mark the run done if nothing is left."""
    following = run.run_steps.filter(status__in=UNFINISHED).order_by("position").first()
    if following is None:
        _finish_if_done(run)
        return
    if (
        following.status == StepStatus.WAITING
        and following.due_at <= timezone.now()
        and not is_paused(run.account_id)
    ):
        claimed = RunStep.objects.filter(pk=following.pk, status=StepStatus.WAITING).update(
            status=StepStatus.RUNNING, detail=words(ABOUT_TO_RUN), said=ABOUT_TO_RUN
        )
        if claimed:
            enqueue(RUN_STEP_TASK, step_id=following.pk)


def _record_step(step: RunStep, run: PlaybookRun) -> None:
    """One line on the account's timeline for a step finished after the run fired."""
    record(
        gettext_noop("could not run a step of")
        if step.status == StepStatus.FAILED
        else gettext_noop("ran a step of"),
        actor=None,
        account=run.account,
        target=run,
        after={
            "step": recorded(
                say(
                    gettext_noop("Step %(number)s (%(kind)s)"),
                    number=step.position + 1,
                    kind=choice(StepKind, step.kind),
                )
            ),
            "outcome": recorded(
                say(
                    gettext_noop("%(status)s: %(outcome)s"),
                    status=choice(StepStatus, step.status),
                    outcome=step.said or say(step.detail),
                )
            ),
        },
        internal=True,
    )


# What a step claimed for a job says until it has run.
ABOUT_TO_RUN = say(gettext_noop("due: about to run"))


# Stop conditions --------------------------------------------------------------------------------


def stop_reason(run: PlaybookRun, stop_if: str) -> str | None:
    """What happened since ``run`` began that its stop condition names, in words; None if
    nothing did."""
    said = stop_said(run, stop_if)
    return None if said is None else words(said)


def stop_said(run: PlaybookRun, stop_if: str) -> Said | None:
    """:func:`stop_reason` as a run keeps it (:mod:`playbooks.words`)."""
    began = run.created_at
    if stop_if == StopIf.LOGGED_IN:
        day = timezone.localdate(began)
        visit = (
            PortalVisit.objects.filter(account_id=run.account_id, logins__gt=0)
            .filter(Q(day__gt=day) | Q(day=day, last_seen_at__gte=began))
            .select_related("user")
            .order_by("day", "pk")
            .first()
        )
        if visit is not None:
            return say(
                gettext_noop("%(person)s logged in on %(day)s"),
                person=visit.user.display_name,
                day=_day(visit.last_seen_at),
            )
    elif stop_if == StopIf.TASK_DONE:
        task = (
            CSMTask.objects.filter(run=run, done_at__isnull=False).order_by("done_at", "pk").first()
        )
        if task is not None and task.done_at is not None:
            return say(
                gettext_noop("the task “%(task)s” was done on %(day)s"),
                task=task.title,
                day=_day(task.done_at),
            )
    elif stop_if == StopIf.ANSWERED:
        from surveys.models import Kind, Response

        answer = (
            Response.objects.filter(account_id=run.account_id, answered_at__gte=began)
            .select_related("user")
            .order_by("answered_at", "pk")
            .first()
        )
        if answer is not None:
            return say(
                gettext_noop("%(person)s answered a survey (%(kind)s %(score)s) on %(day)s"),
                person=answer.user.display_name,
                kind=choice(Kind, answer.kind),
                score=str(answer.score),
                day=_day(answer.answered_at),
            )
    return None


def _day(moment: datetime) -> Said:
    return day(timezone.localtime(moment).date())


def stop_run(run: PlaybookRun, step: RunStep, why: Said | str) -> int:
    """Stop ``step`` and every unfinished step after it, and the run, saying why."""
    now = timezone.now()
    said = say(gettext_noop("stopped: %(why)s"), why=why if isinstance(why, dict) else say(why))
    stopped = RunStep.objects.filter(
        run=run, position__gte=step.position, status__in=UNFINISHED
    ).update(status=StepStatus.STOPPED, detail=words(said)[:500], said=said, finished_at=now)
    run.status = RunStatus.STOPPED
    run.finished_at = now
    run.save(update_fields=["status", "finished_at"])
    record(
        gettext_noop("stopped"),
        actor=None,
        account=run.account,
        target=run,
        after={
            "why": recorded(why if isinstance(why, dict) else say(why)),
            "steps stopped": stopped,
        },
        internal=True,
    )
    return stopped


# Pausing an account -----------------------------------------------------------------------------


class PauseRefused(Exception):
    """The pause or resume cannot be done; the message says why."""


def is_paused(account_id: int) -> bool:
    return AccountPause.objects.filter(account_id=account_id).exists()


def pause_account(account: Account, *, note: str, acting_user: User | None) -> AccountPause:
    """Pause every playbook for ``account``: no run starts and no waiting step runs until
    the resume (the waiting steps then run if still due). Pausing again updates the note."""
    note = note.strip()[:300]
    with transaction.atomic():
        pause = AccountPause.objects.select_for_update().filter(account=account).first()
        if pause is None:
            pause = AccountPause.objects.create(account=account, paused_by=acting_user, note=note)
            record(
                gettext_noop("paused playbooks for"),
                actor=acting_user,
                account=account,
                target=account,
                after={"note": note},
                internal=True,
            )
        elif pause.note != note:
            before = {"note": pause.note}
            pause.note = note
            pause.save(update_fields=["note"])
            record(
                gettext_noop("changed the playbook pause note for"),
                actor=acting_user,
                account=account,
                target=account,
                before=before,
                after={"note": note},
                internal=True,
            )
    return pause


def resume_account(account: Account, *, acting_user: User | None) -> int:
    """Let playbooks run for ``account`` again; returns how many waiting steps are now due
    (the scheduler runs them on its next pass)."""
    with transaction.atomic():
        deleted, _ = AccountPause.objects.filter(account=account).delete()
        if not deleted:
            raise PauseRefused(
                gettext("Playbooks are not paused for %(account)s.") % {"account": account.name}
            )
        due = RunStep.objects.filter(
            run__account=account,
            run__status=RunStatus.RUNNING,
            status=StepStatus.WAITING,
            due_at__lte=timezone.now(),
        ).count()
        record(
            gettext_noop("resumed playbooks for"),
            actor=acting_user,
            account=account,
            target=account,
            after={"steps due now": due},
            internal=True,
        )
    return due


# Reading runs -----------------------------------------------------------------------------------


def runs_of(account: Account) -> QuerySet[PlaybookRun]:
    """The account's runs, newest first, with their playbook, event and steps in 3 queries."""
    return (
        PlaybookRun.objects.filter(account=account)
        .select_related("playbook", "event")
        .prefetch_related("run_steps")
        .order_by("-created_at", "-pk")
    )


def merge_fields(event: Event, account: Account, run: PlaybookRun) -> dict[str, Any]:
    """What a step's text may name: {account}, {person}, {score}, {comment}, {why}."""
    people, comments = _merge_sources([event])
    return _merge(event, account, run, people, comments)


def _merge_sources(events: list[Event]) -> tuple[dict[str, str], dict[str, str]]:
    """The people (display names by user id) and survey comments (by response id) that
    ``events`` name, for their merge fields: a query for each that some event needs."""
    user_ids = {e.data["user_id"] for e in events if (e.data or {}).get("user_id")}
    response_ids = {e.data["response_id"] for e in events if (e.data or {}).get("response_id")}
    people = (
        {str(user.pk): user.display_name for user in User.objects.filter(pk__in=user_ids)}
        if user_ids
        else {}
    )
    comments: dict[str, str] = {}
    if response_ids:
        from surveys.models import Response

        rows = Response.objects.filter(pk__in=response_ids).values_list("pk", "comment")
        comments = {str(pk): comment for pk, comment in rows}
    return people, comments


def _merge(
    event: Event,
    account: Account,
    run: PlaybookRun,
    people: dict[str, str],
    comments: dict[str, str],
) -> dict[str, Any]:
    data = event.data or {}
    fields: dict[str, Any] = {
        "account": account.name,
        "score": data.get("score", ""),
        "person": "",
        "comment": "",
        "why": run.reason,
    }
    if data.get("user_id"):
        fields["person"] = people.get(str(data["user_id"]), "someone")
    if data.get("response_id"):
        fields["comment"] = comments.get(str(data["response_id"])) or ""
    return fields
