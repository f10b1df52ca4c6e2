"""Firing playbooks on an event: one run per playbook, account and event, its steps copied
from the playbook; the steps due now run at once, the delayed ones wait for the scheduler."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.activity import record
from accounts.models import Account, User

from ..conditions import matches
from ..models import (
    AccountPause,
    Event,
    EventKind,
    Playbook,
    PlaybookRun,
    RunStatus,
    RunStep,
    StepStatus,
)
from ..steps import Outcome, StepContext, StepFailed, load
from ..triggers import TRIGGERS


def describe_event(event: Event) -> str:
    data = event.data or {}
    label = event.get_kind_display()
    if "score" in data:
        return f"{label}: {str(data.get('survey_kind', '')).upper()} {data['score']}"
    if event.kind == EventKind.HEALTH_BAND_CHANGED:
        return f"{label}: {data.get('from_band')} to {data.get('to_band')}"
    return label


def evaluate_event(event: Event) -> list[PlaybookRun]:
    """Run every enabled playbook whose trigger is ``event``'s kind on its account, once."""
    if AccountPause.objects.filter(account_id=event.account_id).exists():
        return []
    account = Account.objects.select_related("owner").get(pk=event.account_id)
    trigger = TRIGGERS[event.kind]
    runs = []
    for playbook in Playbook.objects.filter(enabled=True, trigger=event.kind).prefetch_related(
        "steps"
    ):
        if not trigger.accepts(playbook.trigger_params or {}, event.data or {}):
            continue
        why = matches(playbook, account)
        if why is None:
            continue
        run = run_playbook(playbook, account, event, why=why)
        if run is not None:
            runs.append(run)
    return runs


def run_playbook(
    playbook: Playbook, account: Account, event: Event, *, why: str
) -> PlaybookRun | None:
    """Fire ``playbook`` for ``event``; None when it already fired for it (a second delivery)."""
    reason = describe_event(event) + (f" ({why})" if why else "")
    now = timezone.now()
    try:
        with transaction.atomic():
            run = PlaybookRun.objects.create(
                playbook=playbook,
                account=account,
                event=event,
                reason=reason[:300],
                playbook_version=playbook.version,
                created_at=now,
            )
            steps = RunStep.objects.bulk_create(
                RunStep(
                    run=run,
                    position=position,
                    kind=step.kind,
                    params=step.params,
                    delay_days=step.delay_days,
                    stop_if=step.stop_if,
                    due_at=now + timedelta(days=step.delay_days),
                )
                for position, step in enumerate(playbook.steps.all())
            )
            merge = merge_fields(event, account, run)
            for step in steps:
                if step.delay_days:
                    step.detail = f"waits {step.delay_days} days"
                    step.save(update_fields=["detail"])
                    continue
                run_step(step, run, merge=merge)
            _finish_if_done(run)
            record(
                "ran a playbook",
                actor=None,
                account=account,
                target=run,
                after={"why": reason, "steps": [s.detail for s in steps]},
                internal=True,
            )
    except IntegrityError:
        return None  # fired already for this event: the unique run says so
    return run


def run_step(step: RunStep, run: PlaybookRun, *, merge: dict[str, Any]) -> RunStep:
    """Do one step and record its outcome on it."""
    spec = load().get(step.kind)
    step.attempts += 1
    if spec is None:
        outcome = Outcome("failed", f"this portal has no step “{step.kind}”")
    else:
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
                outcome = spec.run(context)
        except StepFailed as failure:
            outcome = Outcome("failed", str(failure))
    step.status = outcome.status
    step.detail = outcome.detail[:500]
    step.finished_at = timezone.now()
    step.save(update_fields=["status", "detail", "attempts", "finished_at"])
    return step


def _finish_if_done(run: PlaybookRun) -> None:
    if not run.run_steps.filter(status=StepStatus.WAITING).exists():
        run.status = RunStatus.DONE
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "finished_at"])


def merge_fields(event: Event, account: Account, run: PlaybookRun) -> dict[str, Any]:
    """What a step's text may name: {account}, {person}, {score}, {comment}, {why}."""
    data = event.data or {}
    fields: dict[str, Any] = {
        "account": account.name,
        "score": data.get("score", ""),
        "person": "",
        "comment": "",
        "why": run.reason,
    }
    if data.get("user_id"):
        person = User.objects.filter(pk=data["user_id"]).first()
        fields["person"] = person.display_name if person else "someone"
    if data.get("response_id"):
        from surveys.models import Response

        fields["comment"] = (
            Response.objects.filter(pk=data["response_id"])
            .values_list("comment", flat=True)
            .first()
            or ""
        )
    return fields
