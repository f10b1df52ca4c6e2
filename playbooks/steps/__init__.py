"""What a playbook step can do: one module per kind, each registered here with its settings,
its checks, what it says it will do (for the preview) and the work itself.

A step's work receives a :class:`StepContext` and returns an :class:`Outcome`; it raises
:class:`StepFailed` for a failure worth retrying (the job helper retries, and the run shows the
reason once it gives up) and returns ``Outcome.skipped(...)`` when there is nothing to do
(the account has no owner, the person unsubscribed). Steps change other apps only through
their services.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

from ..params import ParamField
from ..words import Said, say, words

if TYPE_CHECKING:
    from accounts.models import Account

    from ..models import Event, PlaybookRun


class StepFailed(Exception):
    """The step could not be done now; retried, then shown on the run with this reason."""


@dataclass(frozen=True, eq=False)
class Outcome:
    """What a step did, kept on the run: ``said`` as :mod:`playbooks.words` stores it (read in
    each reader's language), or a plain string already in words (another app's refusal)."""

    status: str  # done | skipped
    said: Said | str

    @property
    def detail(self) -> str:
        """The outcome in the active language."""
        return words(self.said)

    def __eq__(self, other: object) -> bool:
        """The same status and the same words, however they are kept."""
        if not isinstance(other, Outcome):
            return NotImplemented
        return (self.status, self.detail) == (other.status, other.detail)

    def __hash__(self) -> int:
        return hash((self.status, self.detail))

    @classmethod
    def done(cls, said: Said | str, /, **values: Any) -> Outcome:
        """``said``: a stored text, or a ``gettext_noop``'d message with its ``values``."""
        return cls("done", _said(said, values))

    @classmethod
    def skipped(cls, said: Said | str, /, **values: Any) -> Outcome:
        return cls("skipped", _said(said, values))


def _said(said: Said | str, values: dict[str, Any]) -> Said | str:
    return say(said, **values) if isinstance(said, str) else said


@dataclass
class StepContext:
    run: PlaybookRun
    account: Account
    event: Event
    position: int
    params: dict[str, Any]
    merge: dict[str, Any] = field(default_factory=dict)

    def fill(self, text: str) -> str:
        """``text`` with its merge fields ({account}, {person}, {score}, …) filled in; an
        unknown field is left as written rather than failing the step."""
        return _Filler(self.merge).fill(text)

    def worded(self, text: str) -> str:
        """:meth:`fill` in the active language: a built-in step's text as shipped in it (see
        :func:`playbooks.builtins.step_text`), and {why} in it too."""
        from ..builtins import step_text

        merge = {**self.merge}
        if "why" in merge and self.run.said:
            merge["why"] = self.run.why
        return _Filler(merge).fill(step_text(text))


class _Filler(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"

    def fill(self, text: str) -> str:
        try:
            return text.format_map(self)
        except (ValueError, IndexError, AttributeError):
            return text


# How a preview names the merge fields it cannot know before the event happens.
PREVIEW_MERGE = {
    "person": _("‹the person›"),
    "score": _("‹score›"),
    "comment": _("‹their comment›"),
    "why": _("‹why it fired›"),
}


def preview_text(text: str, account: Account) -> str:
    """``text`` as a preview shows it: the account's name filled in, the event's fields named."""
    from ..builtins import step_text

    return _Filler({**PREVIEW_MERGE, "account": account.name}).fill(step_text(text))


@dataclass(frozen=True)
class StepKindSpec:
    kind: str
    fields: list[ParamField]
    run: Callable[[StepContext], Outcome]
    # What the step would do for this account, in words, for the preview (sends nothing).
    describe: Callable[[dict[str, Any], Account], str]
    # More checks than the fields' own (a template that must exist, a role that must exist);
    # returns the problems in words.
    validate: Callable[[dict[str, Any]], list[str]] = lambda params: []
    # The events this step can raise itself: a playbook on one of them would loop.
    raises: frozenset[str] = frozenset()
    # The work for many steps at once (a scan's batch of runs), with the same effects and
    # outcomes as ``run`` on each in turn; None: the kind runs one step at a time. It raises
    # rather than fail one step: the caller then runs each step on its own.
    run_many: Callable[[list[StepContext]], list[Outcome]] | None = None


STEP_KINDS: dict[str, StepKindSpec] = {}

# One module per step kind; each registers itself when imported.
MODULES = [
    "create_task",
    "send_email",
    "start_onboarding",
    "send_survey",
    "add_plan_item",
    "set_account_field",
    "assign_owner",
    "flag_csql",
    "notify_owner",
    "pause_surveys",
    "ask_for_advocacy",
]


def register(spec: StepKindSpec) -> StepKindSpec:
    STEP_KINDS[spec.kind] = spec
    return spec


def load() -> dict[str, StepKindSpec]:
    for name in MODULES:
        importlib.import_module(f"{__name__}.{name}")
    return STEP_KINDS
