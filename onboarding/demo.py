"""Demo data for onboarding: a realistic template the first look can start checklists from."""

from __future__ import annotations

from django.db import transaction

from accounts.models import User

from .models import (
    AssigneeRole,
    ChecklistTemplate,
    FieldType,
    Side,
    TemplateFormField,
    TemplatePhase,
    TemplateTask,
)

DEMO_TEMPLATE_NAME = "Enterprise onboarding"

C, V = Side.CUSTOMER, Side.VENDOR
CHAMPION, EXECUTIVE, MEMBER, CSM = (
    AssigneeRole.CHAMPION,
    AssigneeRole.EXECUTIVE,
    AssigneeRole.MEMBER,
    AssigneeRole.CSM,
)

QUESTIONNAIRE = "Kick-off questionnaire"

# (phase, [(title, side, role, offset, description, links, options)])
PHASES: list[tuple[str, list[tuple[str, str, str, int, str, str, set[str]]]]] = [
    (
        "Kickoff",
        [
            (
                "Internal handover from sales",
                V,
                CSM,
                0,
                "Read the signed order form and the opportunity notes, then meet the account "
                "executive for 30 minutes.\n\n"
                "- What did the customer **buy**, and what did they **expect**?\n"
                "- Who signed, who champions, who might block?\n"
                "- Any promise made during the sale that is not in the contract",
                "Handover checklist https://docs.example.com/cs/sales-handover",
                {"internal"},
            ),
            (
                "Kickoff call",
                V,
                CSM,
                2,
                "A one-hour video call with the champion and the executive sponsor.\n\n"
                "1. Introductions and roles\n"
                "2. Goals for the first 90 days\n"
                "3. Walk through this checklist and agree the dates\n\n"
                "Send the recording and the slides afterwards.",
                "Kickoff deck https://docs.example.com/onboarding/kickoff-deck",
                set(),
            ),
            (
                QUESTIONNAIRE,
                C,
                CHAMPION,
                3,
                "Ten minutes of questions before we start, so the set-up fits your team. "
                "Your answers go straight to your CSM; you can change them until go-live.",
                "",
                set(),
            ),
            (
                "Confirm your goals and success criteria",
                C,
                CHAMPION,
                5,
                "Write down the two or three outcomes that would make this purchase a success, "
                "with a number for each (for example *reporting time down from 2 days to 2 "
                "hours*). We turn them into your success plan.",
                "Writing good success criteria https://docs.example.com/onboarding/success-criteria",
                set(),
            ),
        ],
    ),
    (
        "Set-up",
        [
            (
                "Invite your team",
                C,
                CHAMPION,
                7,
                "Invite the people who will use the product day to day. Give admins the "
                "**Admin** role and everyone else **Member**.",
                "Inviting users https://docs.example.com/admin/invite-users",
                set(),
            ),
            (
                "Connect single sign-on",
                C,
                MEMBER,
                10,
                "Your identity team connects SAML or OIDC single sign-on, so colleagues log in "
                "with their work account. Allow 30 minutes and admin rights in your identity "
                "provider.",
                "SSO with SAML https://docs.example.com/admin/sso-saml\n"
                "SSO with OIDC https://docs.example.com/admin/sso-oidc",
                set(),
            ),
            (
                "Import your historical data",
                C,
                CHAMPION,
                14,
                "Export the last 12 months from your current tool as CSV and upload them from "
                "*Settings → Import*. The import checks every file before it changes anything.",
                "Import guide https://docs.example.com/data/import\n"
                "CSV templates https://docs.example.com/data/csv-templates",
                set(),
            ),
            (
                "Verify the data import",
                V,
                CSM,
                16,
                "Compare totals with the customer's old tool and fix any mapping before "
                "training starts.",
                "",
                set(),
            ),
        ],
    ),
    (
        "Training",
        [
            (
                "Admin training session",
                V,
                CSM,
                21,
                "A 90-minute live session for the customer's admins: permissions, workspaces, "
                "integrations and the audit log.",
                "Admin training outline https://docs.example.com/training/admin",
                set(),
            ),
            (
                "Complete the essentials course",
                C,
                MEMBER,
                25,
                "Every user takes the 30-minute self-paced course in the academy. It ends with "
                "a short quiz and a certificate.",
                "Essentials course https://academy.example.com/courses/essentials",
                set(),
            ),
            (
                "Build your first dashboard",
                C,
                MEMBER,
                28,
                "Start from a gallery template and adapt it to one of your success criteria.",
                "Dashboard gallery https://docs.example.com/dashboards/gallery",
                {"optional"},
            ),
        ],
    ),
    (
        "Go-live",
        [
            (
                "First report shared with the team",
                C,
                CHAMPION,
                35,
                "Share a report built from your own data with the people who used to make it "
                "by hand. **This is the moment the product starts paying for itself.**",
                "Sharing reports https://docs.example.com/reports/share",
                {"value"},
            ),
            (
                "Go-live review",
                V,
                CSM,
                42,
                "Review the success criteria with the champion: what is working, what is not "
                "yet, and the plan for the next quarter.",
                "Go-live review template https://docs.example.com/onboarding/go-live-review",
                set(),
            ),
            (
                "Executive check-in",
                C,
                EXECUTIVE,
                45,
                "A 20-minute call between the executive sponsor and our VP of Customer Success.",
                "",
                {"optional"},
            ),
        ],
    ),
]


# The questionnaire's questions: (label, type, required, help text, options).
QUESTIONS: list[tuple[str, str, bool, str, str]] = [
    ("What outcome do you expect in the first 90 days?", FieldType.LONG_TEXT, True,
     "One or two sentences, with a number if you can.", ""),
    ("How many people will use the product?", FieldType.CHOICE, True, "",
     "1 to 10\n11 to 50\n51 to 200\nMore than 200"),
    ("Target go-live date", FieldType.DATE, True, "The day your team works in it for real.", ""),
    ("Reports built by hand each month", FieldType.NUMBER, False,
     "Roughly: we use it to measure the time you save.", ""),
    ("Who signs off the go-live?", FieldType.TEXT, True, "A name and a role.", ""),
    ("Anything we should know?", FieldType.LONG_TEXT, False,
     "Deadlines, audits, systems we should connect to.", ""),
]  # fmt: skip
# The accounts that answered it already (the others' questionnaire is still open); the go-live
# date is given in days after the kickoff.
DEMO_ANSWERS: dict[str, list[str | int]] = {
    "globex": [
        "Month-end close reporting in one place, down from four days to one.",
        "51 to 200",
        45,
        "120",
        "Hank Scorpio, CFO",
        "An audit in April: the reports must be ready before it.",
    ],
    "initech": [
        "Every regional team files its TPS reports in the portal, none by e-mail.",
        "11 to 50",
        60,
        "45",
        "Bill Lumbergh, VP Operations",
        "",
    ],
}


@transaction.atomic
def ensure_demo_template(owner: User) -> ChecklistTemplate:
    """The demo's "Enterprise onboarding" template, created once whatever the number of runs."""
    template, created = ChecklistTemplate.objects.get_or_create(
        name=DEMO_TEMPLATE_NAME,
        defaults={
            "created_by": owner,
            "description": "Six weeks from signature to go-live for accounts with SSO, a data "
            "import and trained admins.",
        },
    )
    if not created:
        return template
    for phase_position, (phase_name, tasks) in enumerate(PHASES):
        phase = TemplatePhase.objects.create(
            template=template, name=phase_name, position=phase_position
        )
        created_tasks = TemplateTask.objects.bulk_create(
            TemplateTask(
                phase=phase,
                position=position,
                title=title,
                owner_side=side,
                default_role=role,
                due_offset_days=offset,
                description=description,
                resource_links=links,
                required="optional" not in options,
                is_value_milestone="value" in options,
                internal="internal" in options,
            )
            for position, (title, side, role, offset, description, links, options) in enumerate(
                tasks
            )
        )
        for task in created_tasks:
            if task.title == QUESTIONNAIRE:
                TemplateFormField.objects.bulk_create(
                    TemplateFormField(
                        task=task,
                        position=i,
                        label=label,
                        field_type=kind,
                        required=required,
                        help_text=help_text,
                        options=options,
                    )
                    for i, (label, kind, required, help_text, options) in enumerate(QUESTIONS)
                )
    return template


# How far along each demo account is: (slug, days since kickoff, share of tasks done,
# days from kickoff to the value milestone or None).
DEMO_ONBOARDINGS = [
    ("acme", 12, 0.35, None),
    ("globex", 95, 1.0, 21),
    ("initech", 300, 1.0, 34),
]


@transaction.atomic
def ensure_demo_onboardings(template: ChecklistTemplate) -> int:
    """Start each demo account's onboarding, at a realistic point. Idempotent."""
    from datetime import datetime, time, timedelta

    from django.utils import timezone

    from accounts.models import Account

    from .models import Checklist, FormAnswer, Task, TaskKind
    from .services import refresh_milestones, start_onboarding

    started = 0
    today = timezone.localdate()
    for slug, days_ago, share_done, value_day in DEMO_ONBOARDINGS:
        account = Account.objects.filter(slug=slug).select_related("owner").first()
        if account is None or account.owner is None:
            continue  # onboarding is started by the account's CSM
        if Checklist.objects.filter(account=account).exists():
            continue
        kickoff = today - timedelta(days=days_ago)
        checklist = start_onboarding(
            account, template=template, kickoff_date=kickoff, acting_user=account.owner
        )
        tasks = list(checklist.tasks.order_by("due_date", "position"))
        if slug not in DEMO_ANSWERS:  # its questionnaire waits for the champion
            tasks = [task for task in tasks if task.kind != TaskKind.FORM]
        champion = account.memberships.filter(role="champion").select_related("user").first()
        for task in tasks[: round(len(tasks) * share_done)]:
            assert task.due_date is not None  # started from a template: kickoff + its offset
            day = task.due_date - timedelta(days=1)
            if task.is_value_milestone and value_day is not None:
                day = kickoff + timedelta(days=value_day)
            done_by = (
                champion.user if champion and task.owner_side == Side.CUSTOMER else account.owner
            )
            completed_at = timezone.make_aware(datetime.combine(min(day, today), time(hour=15)))
            Task.objects.filter(pk=task.pk).update(completed_at=completed_at, completed_by=done_by)
            if task.kind == TaskKind.FORM and slug in DEMO_ANSWERS:
                FormAnswer.objects.bulk_create(
                    FormAnswer(
                        field=field,
                        # A date is given in days after the kickoff.
                        value=str(value)
                        if isinstance(value, str)
                        else (kickoff + timedelta(days=value)).isoformat(),
                        answered_by=done_by,
                        answered_at=completed_at,
                    )
                    for field, value in zip(
                        task.form_fields.order_by("position"), DEMO_ANSWERS[slug], strict=True
                    )
                    if value
                )
        refresh_milestones(checklist)
        started += 1
    return started
