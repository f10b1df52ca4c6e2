"""Chat notifications: Slack and Microsoft Teams channels told of some events, by their
incoming-webhook URLs.

A channel belongs to a CSM (the accounts they own) or to a CS team (the accounts of every CSM
in it) and chooses topics (:class:`~integrations.models.ChatTopic`). :func:`fan_out` runs on
:data:`playbooks.events.events_recorded`, off the request: one message row per channel and
event (unique, so a second delivery of the batch adds nothing) and one job each, in a fixed
number of queries per batch. :func:`deliver` renders the message (Slack: Block Kit; Teams: an
Adaptive Card) and POSTs it through :func:`integrations.outbound.post`; a failure the
receiver may get over (a 5xx, a 429, no answer) raises, and the job retries with backoff.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop, ngettext

from accounts.activity import record, snapshot
from accounts.models import Account, User
from insights.models import HealthBand
from playbooks.models import Event, EventKind
from playbooks.services.runs import describe_event
from portal import formatting
from portal.i18n import override_for
from portal.jobs import enqueue, enqueue_many

from .. import outbound
from ..models import (
    KIND_TOPIC,
    TOPIC_KINDS,
    ChatChannel,
    ChatKind,
    ChatMessage,
    ChatStatus,
    ChatTopic,
)

log = logging.getLogger(__name__)

DELIVER_TASK = "integrations.deliver_chat"
BAND_ORDER: dict[str, int] = {HealthBand.HEALTHY: 0, HealthBand.AT_RISK: 1, HealthBand.CRITICAL: 2}

# Where each service's incoming webhooks live. Enforced unless OUTBOUND_ALLOW_PRIVATE (the
# first look and the tests, whose receiver is on 127.0.0.1). Teams: the retired Office 365
# connectors (*.webhook.office.com) and the Workflows that replace them (Power Automate, on
# *.logic.azure.com or *.powerplatform.com).
ALLOWED_HOSTS: dict[str, tuple[str, ...]] = {
    ChatKind.SLACK: ("hooks.slack.com",),
    ChatKind.TEAMS: (".webhook.office.com", ".logic.azure.com", ".powerplatform.com"),
}


class ChatNotDelivered(Exception):
    """The channel did not take the message, for a reason that may pass: try again later."""


# Who may manage which channel ------------------------------------------------------------------


def may_manage(user: User, channel: ChatChannel) -> bool:
    """A CSM's own channel is theirs alone; team channels are the CS admins'."""
    if not user.is_active or not user.is_vendor:
        return False
    if channel.owner_id is not None:
        return channel.owner_id == user.pk
    return bool(user.is_cs_admin)


def own_channels(user: User) -> list[ChatChannel]:
    return list(ChatChannel.objects.filter(owner=user))


def team_channels() -> list[ChatChannel]:
    return list(ChatChannel.objects.filter(owner__isnull=True).order_by("team", "name", "pk"))


def check_webhook_url(kind: str, url: str) -> str:
    """The URL if the portal may post to it for ``kind``; :class:`outbound.UnsafeURL` saying
    why not."""
    destination = outbound.check_url(url)
    if not outbound._allow_private():
        hosts = ALLOWED_HOSTS[kind]
        host = destination.host.lower()
        if not any(host == h or (h.startswith(".") and host.endswith(h)) for h in hosts):
            label = ChatKind(kind).label
            raise outbound.UnsafeURL(
                gettext(
                    "That is not a %(kind)s incoming-webhook address (expected a host like %(host)s)."
                )
                % {"kind": label, "host": hosts[0].lstrip(".")}
            )
    return url.strip()


# Writes -----------------------------------------------------------------------------------------

CHANNEL_FIELDS = [
    "kind",
    "name",
    "team",
    "active",
    *(ChatChannel.topic_field(t) for t in ChatTopic.values),
]


def add_channel(
    *, acting_user: User, owner: User | None = None, team: str = "", **fields: Any
) -> ChatChannel:
    """A new channel of ``owner`` (a CSM's own) or of ``team``; ``fields`` from the form."""
    with transaction.atomic():
        channel = ChatChannel.objects.create(
            owner=owner, team=team.strip(), created_by=acting_user, **fields
        )
        record(
            gettext_noop("added a chat channel"),
            actor=acting_user,
            target=channel,
            after=snapshot(channel, CHANNEL_FIELDS),
            internal=True,
        )
    return channel


def edit_channel(channel: ChatChannel, *, acting_user: User, **fields: Any) -> ChatChannel:
    before = snapshot(ChatChannel.objects.get(pk=channel.pk), CHANNEL_FIELDS)
    for name, value in fields.items():
        setattr(channel, name, value)
    with transaction.atomic():
        channel.save(update_fields=list(fields))
        record(
            gettext_noop("edited the chat channel"),
            actor=acting_user,
            target=channel,
            before=before,
            after=snapshot(channel, CHANNEL_FIELDS),
            internal=True,
        )
    return channel


def delete_channel(channel: ChatChannel, *, acting_user: User) -> None:
    with transaction.atomic():
        record(
            gettext_noop("removed the chat channel"),
            actor=acting_user,
            target=channel,
            before=snapshot(channel, CHANNEL_FIELDS),
            internal=True,
        )
        channel.delete()


def send_test(channel: ChatChannel, *, acting_user: User) -> ChatMessage:
    """Queue a test message to the channel (sent by a job, like any other)."""
    with transaction.atomic():
        message = ChatMessage.objects.create(channel=channel, event=None)
        record(
            gettext_noop("sent a test message to"), actor=acting_user, target=channel, internal=True
        )
        enqueue(DELIVER_TASK, message_id=message.pk)
    return message


# From events to messages ------------------------------------------------------------------------


def worse_band(event: Event) -> bool:
    data = event.data or {}
    before = BAND_ORDER.get(str(data.get("from_band") or data.get("from")))
    after = BAND_ORDER.get(str(data.get("to_band") or data.get("to")))
    return before is not None and after is not None and after > before


def topic_of(event: Event) -> str | None:
    """The chat topic ``event`` belongs to, or None (a band change for the better is none)."""
    if event.kind == EventKind.HEALTH_BAND_CHANGED and not worse_band(event):
        return None
    return KIND_TOPIC.get(event.kind)


def fan_out(events: Iterable[Event]) -> int:
    """A message and a delivery job for each channel that covers each event's account and
    chose its topic. Nothing to say: no query; otherwise five, however many events and
    channels. Returns how many messages were queued (none twice for a channel and event)."""
    wanted = [(event, topic) for event in events if (topic := topic_of(event)) is not None]
    if not wanted:
        return 0
    owners = {
        pk: (owner_id, team)
        for pk, owner_id, team in Account.objects.filter(
            pk__in={event.account_id for event, _ in wanted}, owner__is_active=True
        ).values_list("pk", "owner_id", "owner__team")
    }
    if not owners:
        return 0
    owner_ids = {owner_id for owner_id, _ in owners.values()}
    teams = {team for _, team in owners.values() if team}
    chose = Q()
    for topic in {topic for _, topic in wanted}:
        chose |= Q(**{ChatChannel.topic_field(topic): True})
    channels = list(
        ChatChannel.objects.filter(active=True)
        .filter(Q(owner_id__in=owner_ids, owner__is_active=True) | Q(team__in=teams, team__gt=""))
        .filter(chose)
    )
    pairs: list[ChatMessage] = []
    for event, topic in wanted:
        if event.account_id not in owners:
            continue
        owner_id, team = owners[event.account_id]
        for channel in channels:
            covers = channel.owner_id == owner_id or (bool(team) and channel.team == team)
            if covers and getattr(channel, ChatChannel.topic_field(topic)):
                pairs.append(ChatMessage(channel=channel, event=event))
    if not pairs:
        return 0
    already = set(
        ChatMessage.objects.filter(
            event_id__in={m.event_id for m in pairs}, channel_id__in={m.channel_id for m in pairs}
        ).values_list("channel_id", "event_id")
    )
    fresh = [m for m in pairs if (m.channel_id, m.event_id) not in already]
    if not fresh:
        return 0
    try:
        with transaction.atomic():
            made = ChatMessage.objects.bulk_create(fresh)
            ids = [m.pk for m in made]
            enqueue_many(DELIVER_TASK, [{"message_id": pk} for pk in ids])
    except IntegrityError:
        # The same events fanned out at the same moment elsewhere: that one queued them.
        log.info("chat messages for %s events already queued", len(wanted))
        return 0
    return len(ids)


def wanted_kinds() -> set[str]:
    """The event kinds some active channel wants, in one query: for the daily scan, which
    looks for a scanned kind (overdue tasks, health fallen) only when something wants it."""
    counts = ChatChannel.objects.filter(active=True).aggregate(
        **{
            topic: Count("pk", filter=Q(**{ChatChannel.topic_field(topic): True}))
            for topic in ChatTopic.values
        }
    )
    return {kind for topic, n in counts.items() if n for kind in TOPIC_KINDS[topic]}


# What a message says ------------------------------------------------------------------------------


@dataclass
class Notice:
    """One message, before it is shaped for Slack or Teams."""

    account: str
    headline: str
    url: str
    button: str = ""  # empty: "Open in the portal", in the language of the moment
    detail: str = ""
    facts: list[tuple[str, str]] = field(default_factory=list)

    @property
    def fallback(self) -> str:
        return f"{self.account}: {self.headline} {self.url}"


def _absolute(path: str) -> str:
    return settings.SITE_URL + path


def _names(ids: Iterable[Any]) -> dict[int, str]:
    wanted = {int(i) for i in ids if i}
    if not wanted:
        return {}
    return {u.pk: u.display_name for u in User.objects.filter(pk__in=wanted)}


def notice_for(event: Event) -> Notice:
    """What the channel is told of ``event`` (its account loaded with its owner)."""
    account = event.account
    data = event.data or {}
    slug = account.slug
    account_page = _absolute(reverse("account_360", args=[slug]))
    names = _names([data.get("user_id"), data.get("author_id")])
    owner = account.owner.display_name if account.owner else gettext("no owner")
    facts = [(gettext("Owner"), owner), (gettext("Segment"), str(account.get_segment_display()))]
    kind = event.kind
    if kind == EventKind.NPS_DETRACTOR:
        who = names.get(int(data.get("user_id") or 0), gettext("Someone"))
        return Notice(
            account.name,
            gettext("Detractor: %(who)s answered NPS %(score)s")
            % {"who": who, "score": data.get("score", "?")},
            account_page,
            gettext("Open the account"),
            facts=facts,
        )
    if kind == EventKind.ONBOARDING_TASK_OVERDUE:
        count = int(data.get("overdue_tasks") or 0)
        tasks = data.get("tasks") or []
        titles = ", ".join(f"“{t.get('title', '')}”" for t in tasks[:3])
        url = reverse("onboarding", args=[slug])
        if len(tasks) == 1 and tasks[0].get("id"):
            url = reverse("onboarding_task", args=[slug, tasks[0]["id"]])
        return Notice(
            account.name,
            ngettext(
                "%(count)s onboarding task overdue, the longest by %(days)s days",
                "%(count)s onboarding tasks overdue, the longest by %(days)s days",
                count,
            )
            % {"count": count, "days": data.get("days_overdue", "?")},
            _absolute(url),
            gettext("Open the checklist"),
            detail=titles,
            facts=facts,
        )
    if kind == EventKind.HEALTH_DROPPED:
        return Notice(
            account.name,
            gettext("Health fell %(fallen)s points in 7 days (%(before)s → %(after)s)")
            % {
                "fallen": data.get("fallen", "?"),
                "before": data.get("score_before", "?"),
                "after": data.get("score", "?"),
            },
            account_page,
            gettext("Open the account"),
            facts=facts,
        )
    if kind == EventKind.HEALTH_BAND_CHANGED:
        return Notice(
            account.name,
            describe_event(event),
            account_page,
            gettext("Open the account"),
            facts=facts,
        )
    if kind == EventKind.REVIEW_ASKED:
        who = names.get(int(data.get("user_id") or 0), gettext("A customer"))
        month = data.get("preferred_month") or ""
        if month:
            facts.insert(
                0, (gettext("Preferred month"), formatting.long_month(date.fromisoformat(month)))
            )
        return Notice(
            account.name,
            gettext("%(who)s asks for a business review") % {"who": who},
            _absolute(reverse("reports", args=[slug])),
            gettext("Open the reviews"),
            detail=str(data.get("note") or ""),
            facts=facts,
        )
    if kind == EventKind.COMMENT_ADDED:
        who = names.get(int(data.get("author_id") or 0), gettext("A customer"))
        if data.get("where") == "task" and data.get("task_id"):
            url = reverse("onboarding_task", args=[slug, data["task_id"]])
        elif data.get("plan_id"):
            url = reverse("plan", args=[slug, data["plan_id"]])
        else:
            url = reverse("account_home", args=[slug])
        return Notice(
            account.name,
            gettext("%(who)s commented on “%(title)s”")
            % {"who": who, "title": data.get("title", "")},
            _absolute(url),
            gettext("Reply in the portal"),
            detail=str(data.get("excerpt") or ""),
            facts=facts,
        )
    return Notice(
        account.name,
        describe_event(event),
        account_page,
        gettext("Open the account"),
        facts=facts,
    )


def test_notice(channel: ChatChannel) -> Notice:
    topics = ", ".join(str(ChatTopic(t).label).lower() for t in channel.topics)
    if channel.team:
        detail = gettext("Events on the %(team)s team will appear here: %(topics)s.") % {
            "team": channel.team,
            "topics": topics,
        }
    else:
        detail = gettext("Events on your accounts will appear here: %(topics)s.") % {
            "topics": topics
        }
    return Notice(
        settings.SITE_NAME,
        gettext("Test message: this channel is connected"),
        _absolute(reverse("chat_channels")),
        gettext("Open the chat settings"),
        detail=detail,
    )


def _mrkdwn(text: str) -> str:
    """Slack's three escapes, so a name with < or & shows as written."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_payload(notice: Notice) -> dict[str, Any]:
    """Block Kit: a section naming the account and what happened, a context line, a button."""
    text = f"*{_mrkdwn(notice.account)}*: {_mrkdwn(notice.headline)}"
    if notice.detail:
        text += "\n>" + _mrkdwn(notice.detail).replace("\n", "\n>")
    blocks: list[dict[str, Any]] = [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]
    if notice.facts:
        blocks.append(
            {
                "type": "context",
                "elements": [
                    {
                        "type": "mrkdwn",
                        "text": " · ".join(f"{k}: {_mrkdwn(v)}" for k, v in notice.facts),
                    }
                ],
            }
        )
    blocks.append(
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "text": {
                        "type": "plain_text",
                        "text": notice.button or gettext("Open in the portal"),
                    },
                    "url": notice.url,
                }
            ],
        }
    )
    return {"text": notice.fallback, "blocks": blocks}


def teams_payload(notice: Notice) -> dict[str, Any]:
    """An Adaptive Card in the ``message`` envelope that Teams incoming webhooks and the
    Workflows "post to a channel when a webhook request is received" template accept."""
    body: list[dict[str, Any]] = [
        {
            "type": "TextBlock",
            "text": notice.account,
            "weight": "Bolder",
            "size": "Medium",
            "wrap": True,
        },
        {"type": "TextBlock", "text": notice.headline, "wrap": True},
    ]
    if notice.detail:
        body.append({"type": "TextBlock", "text": notice.detail, "wrap": True, "isSubtle": True})
    if notice.facts:
        body.append(
            {"type": "FactSet", "facts": [{"title": k, "value": v} for k, v in notice.facts]}
        )
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
        "actions": [
            {
                "type": "Action.OpenUrl",
                "title": notice.button or gettext("Open in the portal"),
                "url": notice.url,
            }
        ],
    }
    return {
        "type": "message",
        "summary": notice.fallback[:200],
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": card,
            }
        ],
    }


def payload_for(channel: ChatChannel, notice: Notice) -> dict[str, Any]:
    return teams_payload(notice) if channel.kind == ChatKind.TEAMS else slack_payload(notice)


# Delivery -----------------------------------------------------------------------------------------


def _retryable(outcome: outbound.Outcome) -> bool:
    """No answer, a server error or "slow down" may pass; a 4xx (the webhook was removed, the
    channel archived) will not, and is not tried again."""
    return outcome.status is None or outcome.status >= 500 or outcome.status == 429


def deliver(message_id: int) -> bool:
    """Send one message; True when the channel took it. Sent or skipped before: nothing."""
    message = (
        ChatMessage.objects.select_related("channel", "event__account__owner")
        .filter(pk=message_id)
        .first()
    )
    if message is None or message.status in (ChatMessage.Status.SENT, ChatMessage.Status.SKIPPED):
        return False
    channel = message.channel
    if not channel.active:
        ChatMessage.objects.filter(pk=message.pk).update(status=ChatMessage.Status.SKIPPED)
        return False
    # In the account's language (its dates too), as the account's e-mails are.
    account = message.event.account if message.event is not None else None
    with override_for(account=account):
        notice = notice_for(message.event) if message.event is not None else test_notice(channel)
        body = json.dumps(payload_for(channel, notice)).encode()
    outcome = outbound.post(channel.webhook_url, body, {"Content-Type": "application/json"})
    now = timezone.now()
    if outcome.ok:
        ChatMessage.objects.filter(pk=message.pk).update(
            status=ChatMessage.Status.SENT,
            attempts=F("attempts") + 1,
            response_status=outcome.status,
            error="",
            sent_at=now,
        )
        ChatChannel.objects.filter(pk=channel.pk).update(
            last_status=ChatStatus.OK, last_delivery_at=now, last_error="", last_error_words=None
        )
        return True
    error = outcome.error or f"HTTP {outcome.status}: {outcome.body[:200]}".strip()
    retry = _retryable(outcome)
    ChatMessage.objects.filter(pk=message.pk).update(
        status=ChatMessage.Status.QUEUED if retry else ChatMessage.Status.FAILED,
        attempts=F("attempts") + 1,
        response_status=outcome.status,
        error=error[:500],
    )
    ChatChannel.objects.filter(pk=channel.pk).update(
        last_status=ChatStatus.FAILED,
        last_delivery_at=now,
        last_error=error[:500],
        last_error_words=outcome.error_text.as_json() if outcome.error_text else None,
    )
    if retry:
        raise ChatNotDelivered(f"{channel}: {error}")
    log.warning("chat message %s refused for good: %s", message.pk, error)
    return False


def gave_up(message_id: int, error: str) -> None:
    ChatMessage.objects.filter(pk=message_id).exclude(status=ChatMessage.Status.SENT).update(
        status=ChatMessage.Status.FAILED, error=error[:500]
    )
