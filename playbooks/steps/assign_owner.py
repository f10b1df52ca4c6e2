"""Assign the account's owner CSM by its segment: to a team (the active CSM of the team with
the fewest accounts; ties go to whoever was given an account least recently, then by name)
or to a list of CSMs (the same rule among them), never above a cap of accounts per CSM.

Rules, one a line, the segment first (``any`` for every other segment)::

    enterprise: Strategic
    mid_market: casey@vendor.example, olive@vendor.example
    any: Scale

A target with an @ is a list of CSMs' e-mail addresses, anything else a team's name (the team
set on the Staff page). When every CSM is at the cap the step is skipped and the CS admins get
a notice; so they do when the team has no active CSM.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, IntegerField, Max, QuerySet
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.utils.text import format_lazy
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from accounts.activity import record
from accounts.models import Account, Activity, Segment, User, VendorRole
from accounts.services import ASSIGNED_OWNER, assign_owner

from ..models import EventKind, StepKind
from ..params import ParamField
from ..services.notices import cs_admins, notify
from ..words import Said, lazy_words, say, say_plural, words
from ..words import choice as choice_of
from . import Outcome, StepContext, StepKindSpec, register

ANY = "any"
# A rule's target that means every active CSM, whatever their team.
EVERYONE = ("all csms", "all", "everyone")

FIELDS = [
    ParamField(
        "rules", _("Who by segment"), kind="longtext", max_length=1000,
        help=_("One a line: “enterprise: Strategic” (a team) or “smb: casey@vendor.example, "
        "olive@vendor.example” (CSMs) or “all CSMs”; “any: …” for the other segments."),
    ),
    ParamField("cap", _("At most accounts per CSM"), kind="int", minimum=0, maximum=10000, default=0, required=False, help=_("0: no cap.")),
    ParamField("reassign", _("Reassign accounts that already have an owner"), kind="bool", default=False, required=False),
]  # fmt: skip


@dataclass(frozen=True)
class Rule:
    segment: str  # a Segment value, or ANY
    team: str = ""
    emails: tuple[str, ...] = ()
    everyone: bool = False

    @property
    def said(self) -> Said:
        """Whom the rule names, as a run keeps it."""
        if self.everyone:
            return say(gettext_noop("all CSMs"))
        if self.team:
            return say(gettext_noop("team %(team)s"), team=self.team)
        return say("%(emails)s", emails=", ".join(self.emails))

    @property
    def label(self) -> str:
        return words(self.said)


def parse_rules(text: str) -> tuple[list[Rule], list[str]]:
    rules: list[Rule] = []
    errors: list[str] = []
    segments = {v: v for v in Segment.values} | {label.lower(): v for v, label in Segment.choices}
    segments |= {ANY: ANY, "*": ANY}
    for line in text.replace(";", "\n").splitlines():
        line = line.strip()
        if not line:
            continue
        key, colon, target = line.partition(":")
        segment = segments.get(key.strip().lower())
        target = target.strip()
        if not colon or not target:
            errors.append(
                gettext("Who by segment: “%(line)s” is not “segment: team or e-mails”.")
                % {"line": line}
            )
        elif segment is None:
            errors.append(
                gettext("Who by segment: there is no segment “%(segment)s”.")
                % {"segment": key.strip()}
            )
        elif any(r.segment == segment for r in rules):
            errors.append(
                gettext("Who by segment: “%(segment)s” is given twice.") % {"segment": key.strip()}
            )
        elif target.lower() in EVERYONE:
            rules.append(Rule(segment, everyone=True))
        elif "@" in target:
            emails = tuple(e.strip().lower() for e in target.split(",") if e.strip())
            rules.append(Rule(segment, emails=emails))
        else:
            rules.append(Rule(segment, team=" ".join(target.split())))
    if not rules and not errors:
        errors.append(gettext("Who by segment: give at least one line, e.g. “any: Scale”."))
    return rules, errors


def rule_for(rules: list[Rule], segment: str) -> Rule | None:
    return next((r for r in rules if r.segment == segment), None) or next(
        (r for r in rules if r.segment == ANY), None
    )


def _csms() -> QuerySet[User]:
    return User.objects.filter(vendor_role=VendorRole.CSM, is_active=True)


def candidates(rule: Rule) -> QuerySet[User]:
    csms = _csms()
    if rule.everyone:
        return csms
    return csms.filter(team=rule.team) if rule.team else csms.filter(email__in=rule.emails)


def validate(params: dict[str, Any]) -> list[str]:
    rules, errors = parse_rules(str(params.get("rules") or ""))
    if errors:
        return errors
    teams = set(_csms().exclude(team="").values_list("team", flat=True))
    emails = set(_csms().values_list("email", flat=True))
    for rule in rules:
        if rule.team and rule.team not in teams:
            errors.append(
                gettext("Who by segment: no active CSM is in team “%(team)s”.")
                % {"team": rule.team}
            )
        for email in rule.emails:
            if email not in emails:
                errors.append(
                    gettext("Who by segment: %(email)s is not an active CSM.") % {"email": email}
                )
    return errors


@dataclass(frozen=True)
class Choice:
    owner: User | None
    said: Said  # who was chosen and why, or why nobody was, as a run keeps it

    @property
    def why(self) -> str:
        return words(self.said)


def choose(rule: Rule, cap: int) -> Choice:
    """The CSM with the fewest accounts among the rule's, under the cap; three queries.

    The candidates are locked until the transaction ends, so two accounts assigned at once
    are counted one after the other."""
    ids = list(candidates(rule).select_for_update().values_list("pk", flat=True))
    people = list(User.objects.filter(pk__in=ids).annotate(accounts=Count("portfolio")))
    if not people:
        return Choice(None, say(gettext_noop("%(rule)s has no active CSM"), rule=rule.said))
    under = [p for p in people if not cap or p.accounts < cap]
    if not under:
        code = "at_cap" if rule.everyone else "at_cap_in" if rule.team else "at_cap_of"
        return Choice(None, say_plural(code, cap, rule=rule.said))
    last = _last_assigned([p.pk for p in under])

    def order(person: Any) -> tuple[int, bool, float, str, int]:
        when = last.get(person.pk)  # never given one comes first
        stamp = when.timestamp() if when else 0.0
        return (person.accounts, when is not None, stamp, person.display_name.lower(), person.pk)

    owner = min(under, key=order)
    return Choice(
        owner,
        say_plural("owner_had", owner.accounts, owner=owner.display_name, rule=rule.said),
    )


def _last_assigned(user_ids: list[int]) -> dict[int, datetime]:
    """When each CSM was last given an account by :func:`accounts.services.assign_owner`."""
    rows = (
        Activity.objects.filter(verb=ASSIGNED_OWNER)
        .annotate(owner_id=Cast(KeyTextTransform("owner_id", "after"), IntegerField()))
        .filter(owner_id__in=user_ids)
        .values("owner_id")
        .annotate(last=Max("created_at"))
        .values_list("owner_id", "last")
    )
    return dict(rows)


def run(context: StepContext) -> Outcome:
    account, params = context.account, context.params
    if account.owner_id is not None and not params.get("reassign"):
        return Outcome.skipped(
            gettext_noop("the account already has an owner, %(owner)s"), owner=str(account.owner)
        )
    rules, errors = parse_rules(str(params.get("rules") or ""))
    if errors:
        return Outcome.skipped(errors[0])
    rule = rule_for(rules, account.segment)
    if rule is None:
        return Outcome.skipped(
            gettext_noop("no rule for the %(segment)s segment"),
            segment=choice_of(Segment, account.segment),
        )
    choice = choose(rule, int(params.get("cap") or 0))
    if choice.owner is None:
        items = notify(
            account,
            text=format_lazy(
                _("{account} needs an owner CSM: {why}."),
                account=account.name,
                why=lazy_words(choice.said),
            ),
            users=cs_admins(),
            run=context.run,
        )
        if items:
            record(gettext_noop("notified"), actor=None, account=account, target=context.run,
                   after={"to": [n.user.display_name for n in items], "text": items[0].title},
                   internal=True)  # fmt: skip
        return Outcome.skipped(gettext_noop("%(why)s; the CS admins were told"), why=choice.said)
    if choice.owner.pk == account.owner_id:
        return Outcome.skipped(
            gettext_noop("%(owner)s owns the account already"), owner=choice.owner.display_name
        )
    assign_owner(account, owner=choice.owner, acting_user=None, why=context.run.reason)
    return Outcome.done(choice.said)


def describe(params: dict[str, Any], account: Account) -> str:
    if account.owner_id is not None and not params.get("reassign"):
        return gettext("nothing: %(owner)s owns it already (skipped)") % {"owner": account.owner}
    rules, errors = parse_rules(str(params.get("rules") or ""))
    rule = None if errors else rule_for(rules, account.segment)
    if rule is None:
        return gettext("nothing: no rule for the %(segment)s segment") % {
            "segment": account.get_segment_display()
        }
    return gettext("the owner CSM chosen from %(rule)s (the fewest accounts first)") % {
        "rule": rule.label
    }


register(
    StepKindSpec(
        StepKind.ASSIGN_OWNER,
        FIELDS,
        run,
        describe,
        validate,
        raises=frozenset({EventKind.OWNER_CHANGED}),
    )
)
