"""The built-in playbooks beside the detractor follow-up (0002), paused, and the e-mails they
send: a CS admin previews, edits and enables them on the playbooks page.

The specs are copied here (not imported from playbooks.builtins) so later edits there do not
change what this migration did.
"""

from typing import Any

from django.db import migrations

EMAILS: list[dict[str, str]] = [
    {
        "key": "welcome-1",
        "name": "Welcome (1 of 3)",
        "subject": "Welcome to the portal, {first_name}",
        "body": "Hello {first_name},\n"
        "\n"
        "Welcome aboard! {account} now has its own space in our customer portal, and I am "
        "{csm_name}, your customer success manager. I am here to make sure your team gets what "
        "it bought us for.\n"
        "\n"
        "**Two things to do today**\n"
        "\n"
        "1. [Log in to the portal]({portal_link}): your onboarding checklist, your success plan "
        "and your contacts are all there.\n"
        "2. Reply to this e-mail with a time that suits you for a 30-minute kick-off call. We "
        "will agree what success looks like for {account} and the first milestones.\n"
        "\n"
        "If anything is unclear, just reply: this e-mail reaches a person.\n"
        "\n"
        "See you soon,\n"
        "\n"
        "{csm_name}\n",
    },
    {
        "key": "welcome-2",
        "name": "Welcome (2 of 3)",
        "subject": "{first_name}, your first onboarding tasks",
        "body": "Hello {first_name},\n"
        "\n"
        "The quickest way to value is to finish the first few onboarding tasks. Most teams do "
        "them in under an hour:\n"
        "\n"
        "- **Confirm your goals** on the success plan, so we measure the right things.\n"
        "- **Connect your data**: the checklist links to a short guide for each step.\n"
        "- **Set up single sign-on** if your IT team uses it; it saves everyone a password.\n"
        "\n"
        "Your checklist shows what is done, what is next and who is on it: [open {account}'s "
        "onboarding]({portal_link}).\n"
        "\n"
        "Stuck on a step? Reply here and {csm_name} will help, or book a working session.\n",
    },
    {
        "key": "welcome-3",
        "name": "Welcome (3 of 3)",
        "subject": "Bring your team into the portal",
        "body": "Hello {first_name},\n"
        "\n"
        "Teams that invite their colleagues in the first weeks get up and running twice as fast: "
        "everyone sees the same plan, the same tasks and the same progress.\n"
        "\n"
        "**Invite your team in a minute**\n"
        "\n"
        "1. [Open the portal]({portal_link}) and go to **People**.\n"
        "2. Enter their e-mail addresses and choose a role: members work on tasks, executives "
        "see the reviews.\n"
        "3. They get an invitation and join {account} with one click.\n"
        "\n"
        "Thank you for choosing us. {csm_name} will check in soon to see how the first weeks "
        "went.\n",
    },
    {
        "key": "we-miss-you",
        "name": "We miss you",
        "subject": "{first_name}, is everything all right at {account}?",
        "body": "Hello {first_name},\n"
        "\n"
        "Nobody from {account} has been in the portal for a month, so I wanted to check in. If "
        "something is in the way — a question, a change on your side, a feature that does not "
        "fit — tell me and we will sort it out.\n"
        "\n"
        "Your plan, your onboarding and your figures are where you left them: [open the "
        "portal]({portal_link}).\n"
        "\n"
        'If now is a busy time, just reply "later" and I will check back next month.\n'
        "\n"
        "{csm_name}\n",
    },
    {
        "key": "renewal-check-in",
        "name": "Renewal: executive check-in",
        "subject": "{account}: a check-in before your renewal",
        "body": "Hello {first_name},\n"
        "\n"
        "{account}'s renewal is about three months away. Before we talk about the next term, I "
        "would like to take 30 minutes with you to look back at what your team achieved, what is "
        "still open, and what you want from us next year.\n"
        "\n"
        "The business review in the portal has the figures: [open it]({portal_link}). Reply with "
        "two or three times that suit you and I will send an invitation.\n"
        "\n"
        "{csm_name}\n",
    },
    {
        "key": "onboarding-nudge",
        "name": "Onboarding nudge",
        "subject": "{first_name}, your onboarding is waiting for you",
        "body": "Hello {first_name},\n"
        "\n"
        "Nothing has moved on {account}'s onboarding for two weeks. It happens: priorities "
        "shift, someone is away, a step is harder than it looks.\n"
        "\n"
        "[Open your checklist]({portal_link}) to see what is next and who it is with. If a step "
        "is stuck, reply to this e-mail and {csm_name} will set up a working session to get it "
        "done together.\n",
    },
    {
        "key": "reference-request",
        "name": "Reference request",
        "subject": "Thank you, {first_name}",
        "body": "Hello {first_name},\n"
        "\n"
        "Thank you for your score of {score}: it means a lot to the whole team.\n"
        "\n"
        "Would you be willing to tell others about your experience? A short review, a reference "
        "call with a team like yours, or a quote for a case study — whatever suits you. Just "
        "reply with what you would be happy to do, and {csm_name} will take care of the rest.\n"
        "\n"
        "[Your portal]({portal_link}) is where we keep your plan and results.\n",
    },
]

PLAYBOOKS: list[dict[str, Any]] = [
    {
        "key": "new-customer",
        "name": "New customer",
        "description": "A first contract: the segment from its MRR, an owner CSM, the onboarding started "
        "and a welcome series of three e-mails over a week.",
        "trigger": "contract_started",
        "steps": [
            {
                "kind": "set_account_field",
                "delay_days": 0,
                "stop_if": "",
                "params": {
                    "field": "segment",
                    "value": "from_mrr",
                    "mrr_ranges": "enterprise >= 10000, mid_market >= 2000, smb",
                },
            },
            {
                "kind": "assign_owner",
                "delay_days": 0,
                "stop_if": "",
                "params": {"rules": "any: all CSMs", "cap": 0, "reassign": False},
            },
            {
                "kind": "start_onboarding",
                "delay_days": 0,
                "stop_if": "",
                "params": {"template": "newest"},
            },
            {
                "kind": "send_email",
                "delay_days": 0,
                "stop_if": "",
                "params": {"template": "welcome-1", "to": "champion"},
            },
            {
                "kind": "send_email",
                "delay_days": 3,
                "stop_if": "",
                "params": {"template": "welcome-2", "to": "champion"},
            },
            {
                "kind": "send_email",
                "delay_days": 7,
                "stop_if": "",
                "params": {"template": "welcome-3", "to": "champion"},
            },
        ],
    },
    {
        "key": "stopped-using",
        "name": "Customer stopped using the portal",
        "description": "Nobody from the account has logged in for 30 days: an e-mail to the champion, "
        "then a call from the CSM a week later unless someone logs in.",
        "trigger": "no_login",
        "trigger_params": {"days": 30},
        "steps": [
            {
                "kind": "send_email",
                "delay_days": 0,
                "stop_if": "",
                "params": {"template": "we-miss-you", "to": "champion"},
            },
            {
                "kind": "create_task",
                "delay_days": 7,
                "stop_if": "logged_in",
                "params": {
                    "title": "Call {account}: nobody has logged in for five weeks",
                    "due_in_days": 2,
                    "priority": "high",
                    "reason": "Nobody from {account} has logged in since the e-mail a week ago.",
                },
            },
        ],
    },
    {
        "key": "renewal-120",
        "name": "Renewal in 120 days",
        "description": "Four months out: the CSM reviews health, usage and open risks and starts the "
        "renewal plan.",
        "trigger": "renewal_due",
        "trigger_params": {"days": 120},
        "steps": [
            {
                "kind": "create_task",
                "delay_days": 0,
                "stop_if": "",
                "params": {
                    "title": "Prepare {account}'s renewal: health, usage and open risks",
                    "due_in_days": 14,
                    "priority": "normal",
                    "reason": "{account} renews in about four months.",
                },
            }
        ],
    },
    {
        "key": "renewal-90",
        "name": "Renewal in 90 days",
        "description": "Three months out: an executive check-in, asked for by e-mail and held by the "
        "CSM.",
        "trigger": "renewal_due",
        "trigger_params": {"days": 90},
        "steps": [
            {
                "kind": "send_email",
                "delay_days": 0,
                "stop_if": "",
                "params": {"template": "renewal-check-in", "to": "executive"},
            },
            {
                "kind": "create_task",
                "delay_days": 0,
                "stop_if": "",
                "params": {
                    "title": "Hold the executive check-in with {account}",
                    "due_in_days": 14,
                    "priority": "high",
                    "reason": "{account} renews in about three months; the executive sponsor "
                    "was asked for a check-in.",
                },
            },
        ],
    },
    {
        "key": "renewal-60",
        "name": "Renewal in 60 days",
        "description": "Two months out: the renewal proposal goes to the customer.",
        "trigger": "renewal_due",
        "trigger_params": {"days": 60},
        "steps": [
            {
                "kind": "create_task",
                "delay_days": 0,
                "stop_if": "",
                "params": {
                    "title": "Send {account} the renewal proposal",
                    "due_in_days": 7,
                    "priority": "high",
                    "reason": "{account} renews in about two months.",
                },
            }
        ],
    },
    {
        "key": "renewal-30",
        "name": "Renewal in 30 days",
        "description": "A month out: the CSM makes sure the renewal is signed, and is told in the "
        "portal.",
        "trigger": "renewal_due",
        "trigger_params": {"days": 30},
        "steps": [
            {
                "kind": "create_task",
                "delay_days": 0,
                "stop_if": "",
                "params": {
                    "title": "Confirm {account}'s renewal is signed",
                    "due_in_days": 7,
                    "priority": "high",
                    "reason": "{account} renews in a month.",
                },
            },
            {
                "kind": "notify_owner",
                "delay_days": 0,
                "stop_if": "",
                "params": {"text": "{account} renews in 30 days."},
            },
        ],
    },
    {
        "key": "champion-left",
        "name": "Champion left",
        "description": "The champion was removed or deactivated, the strongest churn signal: find the "
        "successor, and pause surveys until there is one.",
        "trigger": "champion_left",
        "steps": [
            {
                "kind": "create_task",
                "delay_days": 0,
                "stop_if": "",
                "params": {
                    "title": "Find {account}'s new champion",
                    "due_in_days": 3,
                    "priority": "high",
                    "reason": "{person} is no longer {account}'s champion. Ask the executive "
                    "sponsor who takes over, then invite them from People.",
                },
            },
            {
                "kind": "pause_surveys",
                "delay_days": 0,
                "stop_if": "",
                "params": {
                    "days": 60,
                    "reason": "The champion left; surveys wait for the successor.",
                },
            },
            {
                "kind": "notify_owner",
                "delay_days": 0,
                "stop_if": "",
                "params": {"text": "{person} left {account}: the champion-change play started."},
            },
        ],
    },
    {
        "key": "onboarding-stalled",
        "name": "Onboarding stalled",
        "description": "No customer activity on the onboarding for 14 days: a nudge to the champion, "
        "then a CSM task three days later unless someone logs in.",
        "trigger": "onboarding_stalled",
        "trigger_params": {"days": 14},
        "steps": [
            {
                "kind": "send_email",
                "delay_days": 0,
                "stop_if": "",
                "params": {"template": "onboarding-nudge", "to": "champion"},
            },
            {
                "kind": "create_task",
                "delay_days": 3,
                "stop_if": "logged_in",
                "params": {
                    "title": "Unblock {account}'s onboarding",
                    "due_in_days": 2,
                    "priority": "high",
                    "reason": "Nothing has moved on {account}'s onboarding for over two weeks.",
                },
            },
        ],
    },
    {
        "key": "upsell-seats",
        "name": "Upsell: seats nearly full",
        "description": "The account uses 90% of the seats it bought: an upsell lead (CSQL) in the book "
        "of business and a task to talk about more seats.",
        "trigger": "seats_nearly_full",
        "trigger_params": {"percent": 90},
        "steps": [
            {
                "kind": "flag_csql",
                "delay_days": 0,
                "stop_if": "",
                "params": {"reason": "{account} uses 90% or more of the seats it bought."},
            },
            {
                "kind": "create_task",
                "delay_days": 0,
                "stop_if": "",
                "params": {
                    "title": "Talk to {account} about more seats",
                    "due_in_days": 7,
                    "priority": "normal",
                    "reason": "{account} is close to its seat limit.",
                },
            },
        ],
    },
    {
        "key": "promoter-reference",
        "name": "Promoter: ask for a reference",
        "description": "An NPS promoter (9–10) is thanked and asked for a reference or a review; the CSM "
        "follows up a week later.",
        "trigger": "nps_promoter",
        "steps": [
            {
                "kind": "send_email",
                "delay_days": 0,
                "stop_if": "",
                "params": {"template": "reference-request", "to": "person"},
            },
            {
                "kind": "create_task",
                "delay_days": 7,
                "stop_if": "",
                "params": {
                    "title": "Follow up with {person} on a reference",
                    "due_in_days": 3,
                    "priority": "low",
                    "reason": "{person} answered NPS {score} and was asked for a reference a "
                    "week ago.",
                },
            },
        ],
    },
]


def create(apps: Any, schema_editor: Any) -> None:
    EmailTemplate = apps.get_model("playbooks", "EmailTemplate")
    Playbook = apps.get_model("playbooks", "Playbook")
    PlaybookStep = apps.get_model("playbooks", "PlaybookStep")
    for email in EMAILS:
        EmailTemplate.objects.get_or_create(key=email["key"], defaults=email)
    for spec in PLAYBOOKS:
        if Playbook.objects.filter(key=spec["key"]).exists():
            continue
        playbook = Playbook.objects.create(
            key=spec["key"],
            name=spec["name"],
            description=spec["description"],
            trigger=spec["trigger"],
            trigger_params=spec.get("trigger_params", {}),
            enabled=False,
        )
        for position, step in enumerate(spec["steps"]):
            PlaybookStep.objects.create(playbook=playbook, position=position, **step)


def remove(apps: Any, schema_editor: Any) -> None:
    Playbook = apps.get_model("playbooks", "Playbook")
    Playbook.objects.filter(key__in=[spec["key"] for spec in PLAYBOOKS], runs__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("playbooks", "0006_pause_surveys_step")]

    operations = [migrations.RunPython(create, remove)]
