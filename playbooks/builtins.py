"""The playbooks and e-mails the portal ships with, from the glossaries' plays: a new
customer, a customer who stopped using the product, a detractor, a renewal at 120, 90, 60 and
30 days, a champion who left, a stalled onboarding, seats nearly full (the upsell trigger) and
a promoter asked for a reference.

They are made paused (:func:`playbooks.services.playbooks.ensure_built_in_playbooks`); a CS
admin previews, edits and enables them on the playbooks page. Text here is what a CSM would
write; merge fields in braces.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext, gettext_noop

from .models import EventKind, Priority, StepKind, StopIf


def _step(
    kind: str, delay_days: int = 0, stop_if: str = StopIf.NEVER, **params: Any
) -> dict[str, Any]:
    return {"kind": kind, "delay_days": delay_days, "stop_if": stop_if, "params": params}


def _task(
    title: str, due: int, priority: str = Priority.NORMAL, reason: str = "", **step: Any
) -> dict[str, Any]:
    return _step(
        StepKind.CREATE_TASK, title=title, due_in_days=due, priority=priority, reason=reason, **step
    )


def _mail(template: str, to: str = "champion", **step: Any) -> dict[str, Any]:
    return _step(StepKind.SEND_EMAIL, template=template, to=to, **step)


BUILT_IN: list[dict[str, Any]] = [
    {
        "key": "new-customer",
        "name": gettext_noop("New customer"),
        "description": gettext_noop("A first contract: the segment from its MRR, an owner CSM, the onboarding started and a welcome series of three e-mails over a week."),
        "trigger": EventKind.CONTRACT_STARTED,
        "steps": [
            _step(StepKind.SET_ACCOUNT_FIELD, field="segment", value="from_mrr", mrr_ranges="enterprise >= 10000, mid_market >= 2000, smb"),
            _step(StepKind.ASSIGN_OWNER, rules="any: all CSMs", cap=0, reassign=False),
            _step(StepKind.START_ONBOARDING, template="newest"),
            _mail("welcome-1"),
            _mail("welcome-2", delay_days=3),
            _mail("welcome-3", delay_days=7),
        ],
    },
    {
        "key": "stopped-using",
        "name": gettext_noop("Customer stopped using the portal"),
        "description": gettext_noop("Nobody from the account has logged in for 30 days: an e-mail to the champion, then a call from the CSM a week later unless someone logs in."),
        "trigger": EventKind.NO_LOGIN,
        "trigger_params": {"days": 30},
        "steps": [
            _mail("we-miss-you"),
            _task(gettext_noop("Call {account}: nobody has logged in for five weeks"), 2, Priority.HIGH, gettext_noop("Nobody from {account} has logged in since the e-mail a week ago."), delay_days=7, stop_if=StopIf.LOGGED_IN),
        ],
    },
    {
        "key": "detractor-follow-up",
        "name": gettext_noop("Detractor follow-up"),
        "description": gettext_noop("An NPS detractor (0–6) gets a call from their CSM within two days."),
        "trigger": EventKind.NPS_DETRACTOR,
        "steps": [_task(gettext_noop("Call {person} about their NPS {score}"), 2, Priority.HIGH, gettext_noop("{person} answered NPS {score}."))],
    },
    {
        "key": "renewal-120",
        "name": gettext_noop("Renewal in 120 days"),
        "description": gettext_noop("Four months out: the CSM reviews health, usage and open risks and starts the renewal plan."),
        "trigger": EventKind.RENEWAL_DUE,
        "trigger_params": {"days": 120},
        "steps": [_task(gettext_noop("Prepare {account}'s renewal: health, usage and open risks"), 14, reason=gettext_noop("{account} renews in about four months."))],
    },
    {
        "key": "renewal-90",
        "name": gettext_noop("Renewal in 90 days"),
        "description": gettext_noop("Three months out: an executive check-in, asked for by e-mail and held by the CSM."),
        "trigger": EventKind.RENEWAL_DUE,
        "trigger_params": {"days": 90},
        "steps": [
            _mail("renewal-check-in", to="executive"),
            _task(gettext_noop("Hold the executive check-in with {account}"), 14, Priority.HIGH, gettext_noop("{account} renews in about three months; the executive sponsor was asked for a check-in.")),
        ],
    },
    {
        "key": "renewal-60",
        "name": gettext_noop("Renewal in 60 days"),
        "description": gettext_noop("Two months out: the renewal proposal goes to the customer."),
        "trigger": EventKind.RENEWAL_DUE,
        "trigger_params": {"days": 60},
        "steps": [_task(gettext_noop("Send {account} the renewal proposal"), 7, Priority.HIGH, gettext_noop("{account} renews in about two months."))],
    },
    {
        "key": "renewal-30",
        "name": gettext_noop("Renewal in 30 days"),
        "description": gettext_noop("A month out: the CSM makes sure the renewal is signed, and is told in the portal."),
        "trigger": EventKind.RENEWAL_DUE,
        "trigger_params": {"days": 30},
        "steps": [
            _task(gettext_noop("Confirm {account}'s renewal is signed"), 7, Priority.HIGH, gettext_noop("{account} renews in a month.")),
            _step(StepKind.NOTIFY_OWNER, text=gettext_noop("{account} renews in 30 days.")),
        ],
    },
    {
        "key": "champion-left",
        "name": gettext_noop("Champion left"),
        "description": gettext_noop("The champion was removed or deactivated, the strongest churn signal: find the successor, and pause surveys until there is one."),
        "trigger": EventKind.CHAMPION_LEFT,
        "steps": [
            _task(gettext_noop("Find {account}'s new champion"), 3, Priority.HIGH, gettext_noop("{person} is no longer {account}'s champion. Ask the executive sponsor who takes over, then invite them from People.")),
            _step(StepKind.PAUSE_SURVEYS, days=60, reason=gettext_noop("The champion left; surveys wait for the successor.")),
            _step(StepKind.NOTIFY_OWNER, text=gettext_noop("{person} left {account}: the champion-change play started.")),
        ],
    },
    {
        "key": "onboarding-stalled",
        "name": gettext_noop("Onboarding stalled"),
        "description": gettext_noop("No customer activity on the onboarding for 14 days: a nudge to the champion, then a CSM task three days later unless someone logs in."),
        "trigger": EventKind.ONBOARDING_STALLED,
        "trigger_params": {"days": 14},
        "steps": [
            _mail("onboarding-nudge"),
            _task(gettext_noop("Unblock {account}'s onboarding"), 2, Priority.HIGH, gettext_noop("Nothing has moved on {account}'s onboarding for over two weeks."), delay_days=3, stop_if=StopIf.LOGGED_IN),
        ],
    },
    {
        "key": "upsell-seats",
        "name": gettext_noop("Upsell: seats nearly full"),
        # xgettext:no-python-format
        "description": gettext_noop("The account uses 90% of the seats it bought: an upsell lead (CSQL) in the book of business and a task to talk about more seats."),
        "trigger": EventKind.SEATS_NEARLY_FULL,
        "trigger_params": {"percent": 90},
        "steps": [
            # xgettext:no-python-format
            _step(StepKind.FLAG_CSQL, reason=gettext_noop("{account} uses 90% or more of the seats it bought.")),
            _task(gettext_noop("Talk to {account} about more seats"), 7, reason=gettext_noop("{account} is close to its seat limit.")),
        ],
    },
    {
        "key": "promoter-reference",
        "name": gettext_noop("Promoter: ask for a reference"),
        "description": gettext_noop("An NPS promoter (9–10) is thanked and asked for a reference or a review; the CSM follows up a week later."),
        "trigger": EventKind.NPS_PROMOTER,
        "steps": [
            _mail("reference-request", to="person"),
            _task(gettext_noop("Follow up with {person} on a reference"), 3, Priority.LOW, gettext_noop("{person} answered NPS {score} and was asked for a reference a week ago."), delay_days=7),
        ],
    },
]  # fmt: skip


# The e-mails the portal ships with: the welcome series, and those the built-in playbooks send.
# Their subjects and bodies are in the catalogue: a person gets them in their language while a
# CS admin has not changed the English text (see EmailTemplate.text_for).

WELCOME_SERIES: list[dict[str, str]] = [
    {
        "key": "welcome-1",
        "name": "Welcome (1 of 3)",
        "subject": gettext_noop("Welcome to the portal, {first_name}"),
        "body": gettext_noop("""Hello {first_name},

Welcome aboard! {account} now has its own space in our customer portal, and I am {csm_name}, your customer success manager. I am here to make sure your team gets what it bought us for.

**Two things to do today**

1. [Log in to the portal]({portal_link}): your onboarding checklist, your success plan and your contacts are all there.
2. Reply to this e-mail with a time that suits you for a 30-minute kick-off call. We will agree what success looks like for {account} and the first milestones.

If anything is unclear, just reply: this e-mail reaches a person.

See you soon,

{csm_name}
"""),
    },
    {
        "key": "welcome-2",
        "name": "Welcome (2 of 3)",
        "subject": gettext_noop("{first_name}, your first onboarding tasks"),
        "body": gettext_noop("""Hello {first_name},

The quickest way to value is to finish the first few onboarding tasks. Most teams do them in under an hour:

- **Confirm your goals** on the success plan, so we measure the right things.
- **Connect your data**: the checklist links to a short guide for each step.
- **Set up single sign-on** if your IT team uses it; it saves everyone a password.

Your checklist shows what is done, what is next and who is on it: [open {account}'s onboarding]({portal_link}).

Stuck on a step? Reply here and {csm_name} will help, or book a working session.
"""),
    },
    {
        "key": "welcome-3",
        "name": "Welcome (3 of 3)",
        "subject": gettext_noop("Bring your team into the portal"),
        "body": gettext_noop("""Hello {first_name},

Teams that invite their colleagues in the first weeks get up and running twice as fast: everyone sees the same plan, the same tasks and the same progress.

**Invite your team in a minute**

1. [Open the portal]({portal_link}) and go to **People**.
2. Enter their e-mail addresses and choose a role: members work on tasks, executives see the reviews.
3. They get an invitation and join {account} with one click.

Thank you for choosing us. {csm_name} will check in soon to see how the first weeks went.
"""),
    },
]


EMAILS: list[dict[str, str]] = [
    {
        "key": "we-miss-you",
        "name": "We miss you",
        "subject": gettext_noop("{first_name}, is everything all right at {account}?"),
        "body": gettext_noop("""Hello {first_name},

Nobody from {account} has been in the portal for a month, so I wanted to check in. If something is in the way — a question, a change on your side, a feature that does not fit — tell me and we will sort it out.

Your plan, your onboarding and your figures are where you left them: [open the portal]({portal_link}).

If now is a busy time, just reply "later" and I will check back next month.

{csm_name}
"""),
    },
    {
        "key": "renewal-check-in",
        "name": "Renewal: executive check-in",
        "subject": gettext_noop("{account}: a check-in before your renewal"),
        "body": gettext_noop("""Hello {first_name},

{account}'s renewal is about three months away. Before we talk about the next term, I would like to take 30 minutes with you to look back at what your team achieved, what is still open, and what you want from us next year.

The business review in the portal has the figures: [open it]({portal_link}). Reply with two or three times that suit you and I will send an invitation.

{csm_name}
"""),
    },
    {
        "key": "onboarding-nudge",
        "name": "Onboarding nudge",
        "subject": gettext_noop("{first_name}, your onboarding is waiting for you"),
        "body": gettext_noop("""Hello {first_name},

Nothing has moved on {account}'s onboarding for two weeks. It happens: priorities shift, someone is away, a step is harder than it looks.

[Open your checklist]({portal_link}) to see what is next and who it is with. If a step is stuck, reply to this e-mail and {csm_name} will set up a working session to get it done together.
"""),
    },
    {
        "key": "reference-request",
        "name": "Reference request",
        "subject": gettext_noop("Thank you, {first_name}"),
        "body": gettext_noop("""Hello {first_name},

Thank you for your score of {score}: it means a lot to the whole team.

Would you be willing to tell others about your experience? A short review, a reference call with a team like yours, or a quote for a case study — whatever suits you. Just reply with what you would be happy to do, and {csm_name} will take care of the rest.

[Your portal]({portal_link}) is where we keep your plan and results.
"""),
    },
]


# The texts of the built-in playbooks' steps a person reads (a task's title and why, a notice,
# a reason), as shipped: each reads in its reader's language while a CS admin has not changed it.
STEP_TEXTS = ("title", "reason", "text")


def _shipped_step_texts() -> frozenset[str]:
    return frozenset(
        text
        for spec in BUILT_IN
        for step in spec["steps"]
        for name, text in step["params"].items()
        if name in STEP_TEXTS and text
    )


SHIPPED_STEP_TEXTS = _shipped_step_texts()


def step_text(text: str) -> str:
    """A step's text in the active language when it is a built-in one as shipped (its merge
    fields in braces kept by the translators), else as the CS admin wrote it."""
    return gettext(text) if text in SHIPPED_STEP_TEXTS else text


def shipped(key: str, name: str) -> str | None:
    """The English ``name`` ("name" or "description") the built-in playbook ``key`` ships
    with; None for a playbook of the CS admins' own."""
    for spec in BUILT_IN:
        if key and spec["key"] == key:
            return str(spec[name])
    return None


def playbook_text(key: str, name: str, written: str) -> str:
    """A playbook's ``name`` or ``description`` as its reader reads it: a built-in one's, while
    still the text it shipped with, in the active language; else ``written`` as written."""
    text = shipped(key, name)
    if text and written.replace("\r\n", "\n").strip() == text:
        return gettext(text)
    return written


def built_in_text(key: str, name: str) -> str | None:
    """The English ``name`` ("subject" or "body") of the built-in e-mail ``key`` as the
    catalogue knows it; None for an e-mail of the CS admins' own."""
    for spec in [*WELCOME_SERIES, *EMAILS]:
        if spec["key"] == key:
            return spec[name]
    return None
