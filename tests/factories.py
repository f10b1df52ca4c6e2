"""Factories for the people and accounts the tests use.

Typed code builds with ``XFactory.create(...)``, which the checker knows returns the model
(calling ``XFactory(...)`` does the same at run time, but reads as a factory to mypy)."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

from accounts.models import (
    Account,
    CustomerRole,
    Membership,
    PortalVisit,
    Segment,
    Stage,
    Tag,
    User,
    VendorRole,
)

PASSWORD = "correct-horse-battery-staple"


def _verify_email(user: User, create: bool, extracted: object, **kwargs: object) -> None:
    if create:
        from allauth.account.models import EmailAddress

        user.save()
        EmailAddress.objects.get_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@customer.example")
    name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)
    # They have logged in before: a first log-in queues a playbooks job (playbooks.signals),
    # which only the tests about first log-ins want (they set it to None).
    last_login = factory.LazyFunction(lambda: timezone.now() - timedelta(days=7))
    # Called with the new user, after the password is set.
    verified = factory.post_generation(_verify_email)


class CSMFactory(UserFactory):
    email = factory.Sequence(lambda n: f"csm{n}@vendor.example")
    vendor_role = VendorRole.CSM


class AdminFactory(UserFactory):
    email = factory.Sequence(lambda n: f"admin{n}@vendor.example")
    vendor_role = VendorRole.ADMIN


class AccountFactory(factory.django.DjangoModelFactory[Account]):
    class Meta:
        model = Account

    name = factory.Sequence(lambda n: f"Customer {n}")
    slug = factory.Sequence(lambda n: f"customer-{n}")
    segment = Segment.MID_MARKET
    stage = Stage.ONBOARDING
    owner = factory.SubFactory(CSMFactory)


class MembershipFactory(factory.django.DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    account = factory.SubFactory(AccountFactory)
    role = CustomerRole.MEMBER


class PortalVisitFactory(factory.django.DjangoModelFactory[PortalVisit]):
    """A day on which a customer opened their account's portal."""

    class Meta:
        model = PortalVisit

    user = factory.SubFactory(UserFactory)
    account = factory.SubFactory(AccountFactory)
    day = factory.LazyFunction(timezone.localdate)
    page_views = 1
    logins = 0
    last_seen_at = factory.LazyFunction(timezone.now)


# Playbooks ------------------------------------------------------------------------------------

from playbooks.models import (  # noqa: E402 - the playbooks app's factories, appended
    CSMTask,
    EmailTemplate,
    Event,
    EventKind,
    Playbook,
    PlaybookRun,
    PlaybookStep,
    Priority,
    RunStep,
    StepKind,
    TaskDigestSent,
    TaskNote,
)


class EventFactory(factory.django.DjangoModelFactory[Event]):
    class Meta:
        model = Event

    account = factory.SubFactory(AccountFactory)
    kind = EventKind.NPS_DETRACTOR
    source = factory.Sequence(lambda n: f"test:{n}")
    data = factory.LazyFunction(dict)


class PlaybookFactory(factory.django.DjangoModelFactory[Playbook]):
    class Meta:
        model = Playbook

    name = factory.Sequence(lambda n: f"Playbook {n}")
    trigger = EventKind.NPS_DETRACTOR
    enabled = True


class PlaybookStepFactory(factory.django.DjangoModelFactory[PlaybookStep]):
    class Meta:
        model = PlaybookStep

    playbook = factory.SubFactory(PlaybookFactory)
    kind = StepKind.CREATE_TASK
    params = factory.LazyFunction(lambda: {"title": "Follow up with {person}", "due_in_days": 1})


class PlaybookRunFactory(factory.django.DjangoModelFactory[PlaybookRun]):
    class Meta:
        model = PlaybookRun

    playbook = factory.SubFactory(PlaybookFactory)
    event = factory.SubFactory(EventFactory)
    account = factory.SelfAttribute("event.account")
    reason = "NPS detractor response: NPS 3"


class RunStepFactory(factory.django.DjangoModelFactory[RunStep]):
    class Meta:
        model = RunStep

    run = factory.SubFactory(PlaybookRunFactory)
    position = factory.Sequence(lambda n: n)
    kind = StepKind.CREATE_TASK
    params = factory.LazyFunction(lambda: {"title": "Follow up"})
    delay_days = 0
    due_at = factory.LazyAttribute(
        lambda step: step.run.created_at + timedelta(days=step.delay_days)
    )


class CSMTaskFactory(factory.django.DjangoModelFactory[CSMTask]):
    class Meta:
        model = CSMTask

    account = factory.SubFactory(AccountFactory)
    assignee = factory.SelfAttribute("account.owner")
    title = factory.Sequence(lambda n: f"Task {n}")
    due_on = factory.LazyFunction(timezone.localdate)
    priority = Priority.NORMAL
    reason = "Because it needs doing."


class EmailTemplateFactory(factory.django.DjangoModelFactory[EmailTemplate]):
    class Meta:
        model = EmailTemplate

    key = factory.Sequence(lambda n: f"email-{n}")
    name = factory.Sequence(lambda n: f"E-mail {n}")
    subject = "Welcome to {account}, {first_name}"
    body = "Hello {first_name},\n\n**{csm_name}** here. [Open the portal]({portal_link})."


class TagFactory(factory.django.DjangoModelFactory[Tag]):
    class Meta:
        model = Tag
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"tag-{n}")


from sentiment.models import CommentSentiment, SourceKind  # noqa: E402 - the sentiment app's
from sentiment.scoring import label_of  # noqa: E402


class CommentSentimentFactory(factory.django.DjangoModelFactory[CommentSentiment]):
    """A scored comment (English, compound -0.6 unless told); ``compound=None`` with
    ``language="unknown"`` and ``label="unknown"`` makes an unknown one."""

    class Meta:
        model = CommentSentiment

    account = factory.SubFactory(AccountFactory)
    source_kind = SourceKind.TASK_COMMENT
    source_id = factory.Sequence(lambda n: n + 1)
    parent_id = 1
    excerpt = factory.Sequence(lambda n: f"Comment {n}")
    language = "en"
    compound = -0.6
    label = factory.LazyAttribute(
        lambda o: "unknown" if o.compound is None else label_of(o.compound)
    )
    written_at = factory.LazyFunction(timezone.now)
    scored_at = factory.LazyFunction(timezone.now)


from insights.models import UpsellLead  # noqa: E402 - appended with the steps that use them


class UpsellLeadFactory(factory.django.DjangoModelFactory[UpsellLead]):
    class Meta:
        model = UpsellLead

    account = factory.SubFactory(AccountFactory)
    reason = "Asked about the analytics add-on"
    source = "a person"
    rule = UpsellLead.Rule.HAND  # no limit on active leads: a test may make several


class TaskNoteFactory(factory.django.DjangoModelFactory[TaskNote]):
    class Meta:
        model = TaskNote

    task = factory.SubFactory(CSMTaskFactory)
    author = factory.SelfAttribute("task.assignee")
    body = factory.Sequence(lambda n: f"Note {n}")


class TaskDigestSentFactory(factory.django.DjangoModelFactory[TaskDigestSent]):
    """A day on which someone's task digest already went out."""

    class Meta:
        model = TaskDigestSent

    user = factory.SubFactory(CSMFactory)
    day = factory.LazyFunction(timezone.localdate)


# The nightly roll-up and health scores ---------------------------------------------------------

from insights.models import NightlyChunk, NightlyRun  # noqa: E402 - the nightly run's factories


class NightlyRunFactory(factory.django.DjangoModelFactory[NightlyRun]):
    """A night's run; give it chunks with :class:`NightlyChunkFactory`."""

    class Meta:
        model = NightlyRun

    day = factory.LazyFunction(timezone.localdate)
    roll_up_days = factory.LazyAttribute(lambda run: [run.day.isoformat()])
    chunk_size = 200
    chunk_count = 1
    account_count = 1


class NightlyChunkFactory(factory.django.DjangoModelFactory[NightlyChunk]):
    """A chunk of one account (``account``), done."""

    class Meta:
        model = NightlyChunk

    class Params:
        account = factory.SubFactory(AccountFactory)

    run = factory.SubFactory(NightlyRunFactory)
    index = factory.Sequence(lambda n: n)
    account_ids = factory.LazyAttribute(lambda chunk: [chunk.account.pk])
    account_count = 1
    first_account_id = factory.LazyAttribute(lambda chunk: chunk.account.pk)
    last_account_id = factory.LazyAttribute(lambda chunk: chunk.account.pk)
    status = NightlyChunk.Status.DONE
    attempts = 1
    started_at = factory.LazyFunction(timezone.now)
    finished_at = factory.LazyFunction(timezone.now)
