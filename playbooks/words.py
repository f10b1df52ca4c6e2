"""Texts a run keeps for people to read later (why it fired, what each step did), stored so
each reader reads them in their own language.

A stored text is plain JSON: the English message (marked with ``gettext_noop`` where it is
written, so the catalogue has it) and its values, each a string, a number or a stored text of
its own; a choice's value (a segment, a health band) and a day are kept as such and named
when read. :func:`words` makes the text in the active language::

    said = say(gettext_noop("task “%(title)s” for %(owner)s"), title=..., owner=...)
    words(said)  # in the reader's language, at read time

Nothing lazy is ever stored: only ``str``, ``int`` and ``float`` values and nested dicts.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import TextChoices
from django.utils.functional import lazy
from django.utils.translation import gettext, ngettext, pgettext

from portal.formatting import money, short_date
from portal.i18n import StoredNumber, StoredText, read_stored

Said = dict[str, Any]


def say(message: str, /, **values: Any) -> Said:
    """``message`` (English, ``gettext_noop``'d, with ``%(name)s`` placeholders) and its values."""
    return {"text": message, "with": _stored(values)} if values else {"text": message}


def say_plural(code: str, count: int, /, **values: Any) -> Said:
    """One of :data:`PLURALS`'s messages in the plural form ``count`` calls for (its
    ``%(count)s``), with its other values."""
    assert code in PLURALS, code
    return {"plural": code, "n": int(count), "with": _stored(values)}


def listed(parts: list[Said], /) -> Said:
    """Several stored texts read one after another, with commas."""
    return {"list": parts}


def choice(choices: type[TextChoices], value: Any) -> Said:
    """A choice's value, named by its label when read (the value itself when it is none of
    ``choices``'s, as when the choice was removed since)."""
    return {"choice": f"{choices.__module__}.{choices.__qualname__}", "value": str(value)}


def day(moment: date) -> Said:
    """A day, written as the reader writes days when read."""
    return {"day": moment.isoformat()[:10]}


def amount(value: Decimal | int | float | None) -> Said:
    """An amount of money, written in the reader's way when read."""
    return {"money": str(value if value is not None else 0)}


def from_stored(text: StoredText | str) -> Said:
    """A :class:`portal.i18n.StoredText` (another app's text kept for later, such as a
    refusal) as a run keeps its texts; a plain string as a message of its own."""
    if not isinstance(text, StoredText):
        return {"text": str(text)}
    if _portal_only(text):  # a count, a number or a small letter: worded by the portal
        return {STORED: text.as_json()}
    said: Said = {"text": text.message}
    if text.context:
        said["context"] = text.context
    if text.params:
        said["with"] = {
            name: from_stored(value) if isinstance(value, StoredText) else value
            for name, value in text.params.items()
        }
    return said


# A portal stored text kept whole (``{"stored": StoredText.as_json()}``), worded by the portal.
STORED = "stored"


def _portal_only(text: StoredText) -> bool:
    """Whether ``text`` says what only the portal's stored texts say: a plural, a number
    written when read, a label made lower case."""
    return bool(text.plural or text.starts_small) or any(
        isinstance(v, StoredNumber) or (isinstance(v, StoredText) and _portal_only(v))
        for v in text.params.values()
    )


def words(said: Any) -> str:
    """A stored text in the active language; a plain string (a text stored before texts were
    kept this way) as it is."""
    if not isinstance(said, dict):
        return "" if said is None else str(said)
    if STORED in said:
        return read_stored(said[STORED])
    if "list" in said:
        return ", ".join(words(part) for part in said["list"])
    if "choice" in said:
        return _label(said["choice"], said.get("value", ""))
    if "day" in said:
        try:
            return short_date(date.fromisoformat(said["day"]))
        except ValueError:
            return str(said["day"])
    if "money" in said:
        try:
            return money(Decimal(said["money"])) or ""
        except ArithmeticError:
            return str(said["money"])
    text = str(said.get("text", ""))
    values = {
        name: words(v) if isinstance(v, dict) else v for name, v in said.get("with", {}).items()
    }
    if "plural" in said:
        count = int(said.get("n", 0))
        values.setdefault("count", count)
        plural = PLURALS.get(str(said["plural"]))
        if plural is None:
            return str(said["plural"])
        text = message = plural(count)
    else:
        context = said.get("context")
        message = (pgettext(str(context), text) if context else gettext(text)) if text else ""
        if not values:
            return message
    try:
        return message % values
    except (KeyError, ValueError, TypeError):  # a translation that lost a placeholder
        return text % values


# A stored text as a lazy string: made when read, in the reader's language (an inbox item's).
lazy_words = lazy(words, str)


# An activity's value that is a stored text: ``{"said": …}``, worded when the timeline is read
# (:data:`accounts.change_words.STORED_VALUES`, which this app registers in). A plain string
# (a value recorded before) stays as it is.
RECORDED = "said"


def recorded(said: Said | str) -> dict[str, Said] | str:
    """``said`` as an activity's ``after`` keeps it, to word in each reader's language."""
    return {RECORDED: said} if isinstance(said, dict) and said else str(said or "")


def _label(path: str, value: str) -> str:
    from django.utils.module_loading import import_string

    try:
        choices = import_string(path)
    except ImportError:
        return value
    if value in choices.values:
        return str(choices(value).label)
    return value.replace("_", " ")


def _stored(values: dict[str, Any]) -> dict[str, Any]:
    """The values as JSON keeps them: text made of anything else (a lazy label, a model)."""
    return {
        name: value if isinstance(value, (dict, int, float)) else str(value)
        for name, value in values.items()
    }


# The stored messages that count something, by code: each an ``ngettext`` for the catalogue,
# with ``%(count)s`` and the other values :func:`say_plural` was given.
PLURALS: dict[str, Callable[[int], str]] = {
    "step_after": lambda n: ngettext(
        "%(step)s after %(count)s day", "%(step)s after %(count)s days", n
    ),
    "waits": lambda n: ngettext("waits %(count)s day", "waits %(count)s days", n),
    "failed_after": lambda n: ngettext(
        "failed after %(count)s attempt: %(reason)s",
        "failed after %(count)s attempts: %(reason)s",
        n,
    ),
    "renews_in": lambda n: ngettext(
        "%(signal)s: renews in %(count)s day", "%(signal)s: renews in %(count)s days", n
    ),
    "dark_for": lambda n: ngettext(
        "%(signal)s: nobody has logged in for %(count)s day",
        "%(signal)s: nobody has logged in for %(count)s days",
        n,
    ),
    "renews_within": lambda n: ngettext(
        "renews in %(count)s day (within %(within)s)",
        "renews in %(count)s days (within %(within)s)",
        n,
    ),
    "sent": lambda n: ngettext(
        "sent “%(email)s” to %(count)s person", "sent “%(email)s” to %(count)s people", n
    ),
    "sent_digest": lambda n: ngettext(
        "sent “%(email)s” to %(count)s person (%(digest)s in the daily digest)",
        "sent “%(email)s” to %(count)s people (%(digest)s in the daily digest)",
        n,
    ),
    "sent_unsubscribed": lambda n: ngettext(
        "sent “%(email)s” to %(count)s person (%(unsubscribed)s unsubscribed)",
        "sent “%(email)s” to %(count)s people (%(unsubscribed)s unsubscribed)",
        n,
    ),
    "sent_digest_unsubscribed": lambda n: ngettext(
        "sent “%(email)s” to %(count)s person (%(digest)s in the daily digest, "
        "%(unsubscribed)s unsubscribed)",
        "sent “%(email)s” to %(count)s people (%(digest)s in the daily digest, "
        "%(unsubscribed)s unsubscribed)",
        n,
    ),
    "surveys_paused_held": lambda n: ngettext(
        "surveys are paused on this account: %(count)s person held back",
        "surveys are paused on this account: %(count)s people held back",
        n,
    ),
    "asked": lambda n: ngettext(
        "asked %(count)s person “%(survey)s”", "asked %(count)s people “%(survey)s”", n
    ),
    "asked_held": lambda n: ngettext(
        "asked %(count)s person “%(survey)s” (%(held)s held back by survey limits)",
        "asked %(count)s people “%(survey)s” (%(held)s held back by survey limits)",
        n,
    ),
    "admins_notified": lambda n: ngettext(
        "notice for %(count)s CS admin: “%(text)s”",
        "notice for %(count)s CS admins: “%(text)s”",
        n,
    ),
    "owner_had": lambda n: ngettext(
        "owner CSM: %(owner)s, who had %(count)s account (%(rule)s)",
        "owner CSM: %(owner)s, who had %(count)s accounts (%(rule)s)",
        n,
    ),
    "at_cap": lambda n: ngettext(
        "every CSM is at the cap of %(count)s account",
        "every CSM is at the cap of %(count)s accounts",
        n,
    ),
    "at_cap_in": lambda n: ngettext(
        "every CSM in %(rule)s is at the cap of %(count)s account",
        "every CSM in %(rule)s is at the cap of %(count)s accounts",
        n,
    ),
    "at_cap_of": lambda n: ngettext(
        "every CSM of %(rule)s is at the cap of %(count)s account",
        "every CSM of %(rule)s is at the cap of %(count)s accounts",
        n,
    ),
    "started_onboarding": lambda n: ngettext(
        "started onboarding “%(checklist)s” (%(count)s task)",
        "started onboarding “%(checklist)s” (%(count)s tasks)",
        n,
    ),
}
