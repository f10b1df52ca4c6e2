"""@mentions in comments: which people a comment names, among those who may read it.

One parser for every comment box (onboarding tasks, success plans, ...). A mention is an
``@`` at the start of a word followed by one of the person's names: their e-mail address,
their full name, their first name or the part of their e-mail before the ``@``, in any case
("@Priya", "@priya natarajan", "@priya@northwind.example"). The longest name that fits wins,
so "@Priya Natarajan" is not also "@Priya" of someone else; a name two people share
("@Sam" for two Sams) names both. An ``@`` inside a word or an address ("dana@acme.example"
in running text) is not a mention.

The caller says who may be named (:func:`mentionable_people` gives the people who may see an
account), and sends the e-mails after commit through a task that checks again that the person
may still see the account and wants such e-mails.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db.models import Q, QuerySet

from .models import Account, User, VendorRole

# An "@" that starts a mention: not preceded by a letter, digit, "@", "." or "_" (so the "@"
# of an e-mail address in running text does not count).
_MENTION_AT = re.compile(r"(?<![\w@.])@")


def names_of(person: User) -> set[str]:
    """Every name ``person`` can be mentioned by, lower-cased."""
    names = {person.email.lower(), person.email.split("@")[0].lower()}
    full = " ".join(person.display_name.split()).lower()
    if full:
        names.add(full)
        names.add(full.split()[0])
    return {n for n in names if n}


def _fits(text: str, name: str) -> bool:
    """``text`` starts with ``name`` as a whole word (what follows is not a word character)."""
    if not text.startswith(name):
        return False
    rest = text[len(name) :]
    return not rest or not (rest[0].isalnum() or rest[0] == "_")


def mentioned_people(body: str, people: Iterable[User]) -> list[User]:
    """The people of ``people`` that ``body`` mentions, each once, in the order first named."""
    candidates = list(people)
    by_name: dict[str, list[User]] = {}
    for person in candidates:
        for name in names_of(person):
            by_name.setdefault(name, []).append(person)
    # Longest names first: "@priya natarajan" before "@priya".
    names = sorted(by_name, key=len, reverse=True)
    text = " ".join(body.split()).lower()  # a name broken over two lines still reads as one
    found: dict[int, User] = {}
    for at in _MENTION_AT.finditer(text):
        after = text[at.end() :]
        longest = next((n for n in names if _fits(after, n)), "")
        for person in by_name.get(longest, []):
            found.setdefault(person.pk, person)
    return list(found.values())


def mentionable_people(account: Account, *, vendor_only: bool = False) -> QuerySet[User]:
    """The active people who may see ``account``: its members (unless ``vendor_only``, for
    what customers never see), its CSM and the CS admins."""
    vendor = Q(pk=account.owner_id) | Q(vendor_role=VendorRole.ADMIN)
    who = vendor if vendor_only else vendor | Q(memberships__account=account)
    return User.objects.filter(who, is_active=True).distinct().order_by("name", "pk")
