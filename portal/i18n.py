"""Each person's language and time zone: chosen, inherited from their account, or guessed.

The order, for a page, an e-mail and a daily reminder alike:

1. what the person chose in their profile (``User.language``, ``User.time_zone``);
2. what their account's CSM set (``Account.language``, ``Account.time_zone``): the account in
   the page's address when the person is a member of it, else their first membership;
3. for the language only, the browser's (the language cookie a visitor set on the log-in page,
   then ``Accept-Language``); e-mails and reminders have no browser and skip this;
4. the site's (``LANGUAGE_CODE``, ``TIME_ZONE``).

Vendor staff have no membership: their own choice, then the browser's, then the site's.
"""

from __future__ import annotations

import logging
import re
import uuid
import zoneinfo
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from functools import cache as memoize
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext, ngettext, npgettext, pgettext

from portal import formatting

if TYPE_CHECKING:
    from accounts.models import Account, User

log = logging.getLogger(__name__)

# The account a page belongs to, from its address (accounts.urls: /a/<slug>/...).
ACCOUNT_PATH = re.compile(r"^/a/(?P<slug>[-a-zA-Z0-9_]+)/")


def language_choices() -> list[tuple[str, str]]:
    """The languages the portal speaks, each in its own name (settings.LANGUAGES)."""
    return [(code, str(name)) for code, name in settings.LANGUAGES]


@memoize
def time_zone_choices() -> list[tuple[str, str]]:
    """The IANA zones a person can pick ("Europe/Berlin"), without the legacy aliases."""
    zones = sorted(
        name
        for name in zoneinfo.available_timezones()
        if "/" in name
        and not name.startswith(("Etc/", "SystemV/", "US/", "Canada/", "Brazil/", "Mexico/"))
        and name != "localtime"
    )
    return [("UTC", "UTC"), *[(name, name.replace("_", " ")) for name in zones]]


def is_language(code: str) -> bool:
    return code in dict(settings.LANGUAGES)


def zone_named(name: str) -> zoneinfo.ZoneInfo | None:
    """The zone of that name, or None for an empty or unknown one (a zone removed from tzdata
    since it was saved falls back instead of failing the page)."""
    if not name:
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


@dataclass(frozen=True)
class Locale:
    """A person's language code ("" = undecided, the browser's or the site's) and zone name
    ("" = the site's)."""

    language: str = ""
    time_zone: str = ""

    def filled_from(self, other: Locale) -> Locale:
        return Locale(self.language or other.language, self.time_zone or other.time_zone)

    @property
    def complete(self) -> bool:
        return bool(self.language and self.time_zone)


def account_locale(account: Account | None) -> Locale:
    if account is None:
        return Locale()
    return Locale(account.language, account.time_zone)


# Each person's accounts' settings are kept in the cache, so that a page costs no query for
# them: the key carries a generation that any change of an account's language or zone, or of
# a membership, renews (the signals below); the entries of older generations expire.
MEMBERSHIPS_CACHE_SECONDS = 600
GENERATION_KEY = "i18n:generation"


def _forget_account_locales(**kwargs: Any) -> None:
    try:
        cache.set(GENERATION_KEY, uuid.uuid4().hex, None)
    except Exception:  # a cache that is down: entries expire on their own
        log.warning("The cache did not take the accounts' new languages", exc_info=True)


def _account_saved(sender: Any, update_fields: Any = None, **kwargs: Any) -> None:
    if update_fields is None or {"language", "time_zone", "slug"} & set(update_fields):
        _forget_account_locales()


post_save.connect(_account_saved, sender="accounts.Account", dispatch_uid="i18n-account")
post_delete.connect(_forget_account_locales, sender="accounts.Account", dispatch_uid="i18n-a")
post_save.connect(_forget_account_locales, sender="accounts.Membership", dispatch_uid="i18n-m")
post_delete.connect(_forget_account_locales, sender="accounts.Membership", dispatch_uid="i18n-md")


def _membership_rows(user: User) -> list[tuple[str, str, str]]:
    """(slug, language, zone) of each of ``user``'s accounts, first membership first."""
    from accounts.models import Membership

    def read() -> list[tuple[str, str, str]]:
        return list(
            Membership.objects.filter(user=user)
            .order_by("pk")
            .values_list("account__slug", "account__language", "account__time_zone")
        )

    try:
        key = f"i18n:memberships:{cache.get(GENERATION_KEY, '0')}:{user.pk}"
        rows = cache.get(key)
        if rows is None:
            rows = read()
            cache.set(key, rows, MEMBERSHIPS_CACHE_SECONDS)
        return [tuple(row) for row in rows]
    except Exception:  # a cache that is down costs a query, never the page
        log.warning("The cache could not be read for the accounts' languages", exc_info=True)
        return read()


def _membership_locale(user: User, slug: str = "") -> Locale:
    """The account's settings: the one named by ``slug`` when the person belongs to it, else
    their first membership."""
    rows = _membership_rows(user)
    if not rows:
        return Locale()
    chosen = next((row for row in rows if slug and row[0] == slug), rows[0])
    return Locale(chosen[1], chosen[2])


def person_locale(user: User | None, *, account: Account | None = None, slug: str = "") -> Locale:
    """What ``user`` reads in and where their clock is, steps 1 and 2 (see the module). A
    given ``account`` (the one an e-mail is about, an invitation's) takes the place of their
    memberships, and stands for a person the portal does not know yet."""
    own = Locale(user.language, user.time_zone) if user is not None else Locale()
    if own.complete or (user is not None and user.is_vendor):
        return own  # vendor staff read the portal as the vendor does, whatever the account
    if account is not None:
        return own.filled_from(account_locale(account))
    if user is None:
        return own
    return own.filled_from(_membership_locale(user, slug))


def language_or_default(code: str) -> str:
    return code if is_language(code) else settings.LANGUAGE_CODE


def languages_of(users: Iterable[User], *, account: Account | None = None) -> dict[int, str]:
    """Each person's language by their id, for something written to them with no browser to
    ask (an inbox item, an e-mail): :func:`person_locale`'s. A person who chose none reads the
    language of ``account`` (the one the item is about) when given, else their first
    membership's account's; vendor staff, and anyone whose account names none, the site's.
    At most one query for all of them (the memberships of those who chose none), whatever
    their number."""
    from accounts.models import Membership

    people = list(users)
    chosen = {user.pk: user.language for user in people if user.language or user.is_vendor}
    undecided = [user.pk for user in people if user.pk not in chosen]
    if undecided and account is not None:
        chosen.update(dict.fromkeys(undecided, account.language))
    elif undecided:
        rows = (
            Membership.objects.filter(user_id__in=undecided)
            .order_by("pk")
            .values_list("user_id", "account__language")
        )
        for user_id, language in rows:
            chosen.setdefault(user_id, language)
    return {user.pk: language_or_default(chosen.get(user.pk, "")) for user in people}


def zone_or_default(name: str) -> zoneinfo.ZoneInfo:
    return zone_named(name) or zoneinfo.ZoneInfo(settings.TIME_ZONE)


def _interpolated(template: Any, values: dict[str, Any]) -> str:
    return str(template) % values


# ``gettext_lazy("%(account)s is ready") % {...}`` would make the text at once, in the writer's
# language; this keeps it lazy (made when read, in the reader's): a "%(name)s" message keeps
# its translations.
interpolate_lazy = lazy(_interpolated, str)


# Stored texts: a phrase kept in a row (an activity's target) and read later, by anyone, in
# their language. What is stored is the English message (marked with ``gettext_noop`` where it
# is written, or ``ngettext_lazy`` for one that counts) and its values; the message is
# translated, and its numbers written, when read.

# How a stored number is written when read, by name: the functions the pages use.
NUMBER_FORMATS: dict[str, Callable[..., str | None]] = {
    "number": formatting.number,
    "percent": formatting.percent,
    "signed": formatting.signed,
}


@dataclass(frozen=True)
class StoredNumber:
    """``stored_number(42.5, "percent")``: a number kept as a number and written when read,
    as the reader writes numbers (:data:`NUMBER_FORMATS`: ``number`` "1,234", ``percent``
    "43%", ``signed`` "+12"), with ``places`` decimals. As a string it is the English."""

    value: int | float | Decimal
    how: str = "number"
    places: int = 0

    def __post_init__(self) -> None:
        if self.how not in NUMBER_FORMATS:
            raise KeyError(self.how)

    def translated(self) -> str:
        """In the active language."""
        return NUMBER_FORMATS[self.how](self.value, self.places) or ""

    def __str__(self) -> str:
        with translation.override(settings.LANGUAGE_CODE):
            return self.translated()

    def as_json(self) -> dict[str, Any]:
        # A Decimal is kept as its text (JSON has no exact decimals), read back as one.
        value = str(self.value) if isinstance(self.value, Decimal) else self.value
        out: dict[str, Any] = {"number": value, "format": self.how}
        if self.places:
            out["places"] = self.places
        return out

    @classmethod
    def from_json(cls, data: Any) -> StoredNumber:
        """The number :meth:`as_json` gave; ValueError for anything else."""
        if not isinstance(data, dict) or "number" not in data:
            raise ValueError("not a stored number")
        value = data["number"]
        if isinstance(value, str):
            value = Decimal(value)
        elif isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError("not a stored number")
        how = str(data.get("format") or "number")
        if how not in NUMBER_FORMATS:
            raise ValueError(f"no number format {how!r}")
        return cls(value, how, int(data.get("places") or 0))


def stored_number(
    value: int | float | Decimal, how: str = "number", places: int = 0
) -> StoredNumber:
    """A :class:`StoredNumber`: a stored text's value written when read (never before)."""
    return StoredNumber(value, how, places)


class StoredText(str):
    """``stored_text(gettext_noop("value KPI “%(name)s”"), name=kpi.name)``: a message with
    named placeholders and its values, each either people's own words (a title, a name: shown
    as stored, never translated), a number to write when read (:class:`StoredNumber`) or a
    message to translate in turn (a choice's label). As a string it is the English (what a
    label was before), so it goes wherever a label did; :meth:`translated` is in the active
    language.

    A message that counts (``stored_text(ngettext_lazy("%(count)s day", "%(count)s days",
    "count"), count=stored_number(n))``) keeps its ``plural`` and the ``number`` that picks the
    form: the name of the value holding the count (or the count itself). ``starts_small``
    (see :meth:`lowered`) starts it with a small letter, as a label inside a sentence reads."""

    message: str
    params: dict[str, str | StoredText | StoredNumber]
    context: str
    plural: str
    number: str | int
    starts_small: bool

    def __new__(
        cls,
        message: str,
        params: dict[str, str | StoredText | StoredNumber] | None = None,
        context: str = "",
        *,
        plural: str = "",
        number: str | int = "",
        starts_small: bool = False,
    ) -> StoredText:
        params = dict(params or {})
        english = message
        if plural and _count(number, params) != 1:
            english = plural
        english = cls._filled(english, {k: str(v) for k, v in params.items()})
        text = super().__new__(cls, _lower_first(english) if starts_small else english)
        text.message, text.params, text.context = message, params, context
        text.plural, text.number, text.starts_small = plural, number, starts_small
        return text

    def translated(self) -> str:
        """In the active language; the English where the catalogue has no translation,
        or one whose placeholders do not fit."""
        if self.plural:
            count = _count(self.number, self.params)
            message = (
                npgettext(self.context, self.message, self.plural, count)
                if self.context
                else ngettext(self.message, self.plural, count)
            )
        else:
            message = (
                pgettext(self.context, self.message) if self.context else gettext(self.message)
            )
        values = {
            k: v.translated() if isinstance(v, (StoredText, StoredNumber)) else v
            for k, v in self.params.items()
        }
        try:
            text = self._filled(message, values)
        except (KeyError, ValueError, TypeError):
            return str(self)
        return _lower_first(text) if self.starts_small else text

    def lowered(self) -> StoredText:
        """The same text starting with a small letter ("on track" in "“Q3” is on track")."""
        return StoredText(
            self.message,
            self.params,
            self.context,
            plural=self.plural,
            number=self.number,
            starts_small=True,
        )

    @staticmethod
    def _filled(message: str, values: dict[str, str]) -> str:
        return message % values if values else message

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"message": self.message}
        if self.context:
            out["context"] = self.context
        if self.plural:
            out["plural"], out["count"] = self.plural, self.number
        if self.starts_small:
            out["lower"] = True
        if self.params:
            out["params"] = {
                k: v.as_json() if isinstance(v, (StoredText, StoredNumber)) else v
                for k, v in self.params.items()
            }
        return out

    @classmethod
    def from_json(cls, data: Any) -> StoredText:
        """The text :meth:`as_json` gave; ValueError for anything else."""
        if not isinstance(data, dict) or not isinstance(data.get("message"), str):
            raise ValueError("not a stored text")
        params: dict[str, str | StoredText | StoredNumber] = {}
        for name, value in (data.get("params") or {}).items():
            if isinstance(value, str):
                params[str(name)] = value
            elif isinstance(value, dict) and "message" not in value:
                params[str(name)] = StoredNumber.from_json(value)
            else:
                params[str(name)] = cls.from_json(value)
        plural = data.get("plural") or ""
        number = data.get("count", "")
        if not isinstance(plural, str) or not isinstance(number, (str, int)):
            raise ValueError("not a stored text")
        return cls(
            data["message"],
            params,
            str(data.get("context") or ""),
            plural=plural,
            number=number,
            starts_small=bool(data.get("lower")),
        )


def _count(number: str | int, params: dict[str, Any]) -> int:
    """The count that picks a plural form: ``number`` itself, or the value it names."""
    if isinstance(number, int):
        return number
    value = params.get(number, 0)
    try:
        return int(value.value if isinstance(value, StoredNumber) else value)
    except (TypeError, ValueError):
        return 0


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def read_stored(value: Any) -> str:
    """A text kept as :meth:`StoredText.as_json` gave it, in the active language; a plain
    string (a text stored as written, before texts were kept so) as it is; "" for one that
    cannot be read."""
    if isinstance(value, StoredText):
        return value.translated()
    if isinstance(value, dict):
        try:
            return StoredText.from_json(value).translated()
        except (ValueError, TypeError, KeyError, AttributeError, ArithmeticError):
            return ""
    return "" if value is None else str(value)


def english_stored(value: Any) -> str:
    """As :func:`read_stored`, in English whatever the active language: for machines (a
    webhook's details) that want one stable text."""
    with translation.override(settings.LANGUAGE_CODE):
        return read_stored(value)


def stored_text(message: str | Promise, /, **params: Any) -> StoredText:
    """A :class:`StoredText`. ``message`` is English, marked with ``gettext_noop`` (or a
    lazy ``gettext_lazy``/``pgettext_lazy`` text, whose message and context are kept, or an
    ``ngettext_lazy``/``npgettext_lazy`` one, whose plural and number are kept too); each
    value is people's own words or a number (kept as text), a :class:`StoredNumber` (written
    when read), a :class:`StoredText`, or a lazy text (a choice's label, translated when
    read)."""
    values = {name: _stored_value(v) for name, v in params.items()}
    if isinstance(message, Promise):
        found = _stored_message(message)
        if not isinstance(found, StoredText):
            return StoredText(found, values) if values else StoredText(found)
        if not values:
            return found
        return StoredText(
            found.message, values, found.context, plural=found.plural, number=found.number
        )
    return StoredText(str(message), values)


def stored_choice(obj: Any, field_name: str) -> StoredText | str:
    """The label of ``obj``'s choice in ``field_name``, to translate when read (as is where
    the label is not translated: a product's name such as "Slack")."""
    value = getattr(obj, field_name)
    label = dict(obj._meta.get_field(field_name).flatchoices).get(value, value)
    found = _stored_value(label)
    return found if isinstance(found, (str, StoredText)) else str(found)


def _stored_value(value: Any) -> str | StoredText | StoredNumber:
    if isinstance(value, (StoredText, StoredNumber)):
        return value
    if isinstance(value, Promise):
        return _stored_message(value)
    return str(value)


def _stored_message(text: Promise) -> StoredText | str:
    """The message (and context, and plural) of a ``gettext_lazy``, ``pgettext_lazy``,
    ``ngettext_lazy`` or ``npgettext_lazy`` text, as pickling keeps them; any other lazy text
    in English, as it was stored before (never a failed write)."""
    reduced: tuple[Any, ...] = text.__reduce__()[1]
    func = reduced[0]
    if func in (translation.ngettext, translation.npgettext) and len(reduced) == 4:
        if isinstance(reduced[1], tuple):  # a count given: (func, args, kwargs, resultclass)
            kwargs = dict(reduced[2])
            number = kwargs.pop("number", 0)
        else:  # the count named, to take from the values: (func, resultclass, name, kwargs)
            number, kwargs = reduced[2], dict(reduced[3])
        if isinstance(number, (str, int)) and {"singular", "plural"} <= kwargs.keys():
            return StoredText(
                str(kwargs["singular"]),
                context=str(kwargs.get("context", "")),
                plural=str(kwargs["plural"]),
                number=number,
            )
    args, kwargs = reduced[1], reduced[2]
    if func is translation.gettext and len(args) == 1 and not kwargs:
        return StoredText(str(args[0]))
    if func is translation.pgettext and len(args) == 2 and not kwargs:
        return StoredText(str(args[1]), context=str(args[0]))
    with translation.override(settings.LANGUAGE_CODE):
        return str(text)


@contextmanager
def override_for(
    user: User | None = None, *, account: Account | None = None, locale: Locale | None = None
) -> Iterator[Locale]:
    """Everything inside (an e-mail's rendering, a PDF) in ``user``'s language and zone; the
    site's where they have none (no browser to ask)."""
    chosen = locale if locale is not None else person_locale(user, account=account)
    language = language_or_default(chosen.language)
    with translation.override(language), timezone.override(zone_or_default(chosen.time_zone)):
        yield Locale(language, chosen.time_zone or settings.TIME_ZONE)


class LocaleMiddleware:
    """Activates each request's language and time zone (the order above), after log-in.

    Takes the place of Django's LocaleMiddleware: the portal's addresses carry no language
    prefix. The response says its language (``Content-Language``) and varies on the
    ``Accept-Language`` it may have been chosen by.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user: Any = getattr(request, "user", None)
        locale = Locale()
        if user is not None and user.is_authenticated:
            match = ACCOUNT_PATH.match(request.path_info)
            locale = person_locale(user, slug=match["slug"] if match else "")
        language = locale.language if is_language(locale.language) else ""
        if not language:
            language = translation.get_language_from_request(request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        zone = zone_named(locale.time_zone)
        if zone is not None:
            timezone.activate(zone)
        else:
            timezone.deactivate()  # the site's TIME_ZONE
        response = self.get_response(request)
        patch_vary_headers(response, ("Accept-Language",))
        response.headers.setdefault("Content-Language", translation.get_language())
        if not response.streaming:
            # Rendered: the next thing this thread does (a task, a test) starts from the site's.
            translation.deactivate()
            timezone.deactivate()
        return response
