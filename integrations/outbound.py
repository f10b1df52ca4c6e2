"""Requests the portal makes to addresses its users typed: webhooks and chat.

Every one goes through :func:`post`, which refuses what could reach the vendor's own network
(SSRF): in production only ``https``, and only to addresses on the public internet. The host
name is resolved once, each address checked, and the connection made to the checked address
(so a name that resolves to a public address when checked and to 10.0.0.1 a moment later
cannot slip through). Redirects are not followed. The first look and the tests allow
``http`` and loopback (``OUTBOUND_ALLOW_PRIVATE``), so a receiver on 127.0.0.1 works there.

Connections are kept alive per destination, so a worker delivering many events to one
receiver does not pay a new TCP (and TLS) handshake each time.
"""

from __future__ import annotations

import enum
import ipaddress
import socket
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import urllib3
from django.conf import settings
from django.utils.translation import gettext_noop

from portal.i18n import StoredText, stored_text

MAX_BODY_KEPT = 1024


class UnsafeURL(ValueError):
    """A URL the portal will not send to, with the reason people can read: ``text`` is the
    reason as stored (an English message and its values), ``str()`` it in the active
    language."""

    def __init__(self, text: str) -> None:
        super().__init__(str(text))
        self.text = text if isinstance(text, StoredText) else StoredText(text)

    def __str__(self) -> str:
        return self.text.translated()


class Failure(enum.StrEnum):
    """Why a request got no answer, for the code that decides what to do next (never the
    wording, which is for people and may change)."""

    NONE = ""
    UNSAFE = "unsafe"  # refused before sending: a URL or an address the portal will not use
    REFUSED = "refused"  # the receiver refused the connection
    CONNECTION = "connection"  # the connection failed another way (reset, TLS, protocol)
    TIMEOUT = "timeout"  # no answer in time


@dataclass(frozen=True)
class Outcome:
    """What came of one request: the answer's status, or the error that stopped it.

    ``error`` is the English of the error (what the API and older rows show), a
    :class:`~portal.i18n.StoredText` so that what is kept of it can be read in each reader's
    language (:attr:`error_text`); ``failure`` says what kind of error it was.
    """

    status: int | None
    error: str
    body: str
    elapsed_ms: int
    failure: Failure = Failure.NONE

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def could_not_connect(self) -> bool:
        """No connection was made (refused, or failed on the way): worth a fresh one."""
        return self.failure in (Failure.REFUSED, Failure.CONNECTION)

    @property
    def error_text(self) -> StoredText | None:
        """The error as stored: its English message and values; None when there was none."""
        if not self.error:
            return None
        return self.error if isinstance(self.error, StoredText) else StoredText(self.error)


@dataclass(frozen=True)
class Destination:
    scheme: str
    host: str
    port: int
    path: str


def allow_private() -> bool:
    """Whether http and private addresses are allowed (the first look and the tests)."""
    return bool(getattr(settings, "OUTBOUND_ALLOW_PRIVATE", settings.DEBUG))


_allow_private = allow_private


def check_url(url: str) -> Destination:
    """The URL's parts, or :class:`UnsafeURL` saying what is wrong with it (no DNS look-up)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as error:
        raise UnsafeURL(
            stored_text(gettext_noop("That is not a URL: %(error)s."), error=error)
        ) from error
    allowed = ("https", "http") if _allow_private() else ("https",)
    if parts.scheme not in allowed:
        raise UnsafeURL(stored_text(gettext_noop("The URL must start with https://.")))
    if not parts.hostname:
        raise UnsafeURL(stored_text(gettext_noop("The URL needs a host name.")))
    if parts.username or parts.password:
        raise UnsafeURL(
            stored_text(gettext_noop("The URL must not carry a user name or password."))
        )
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Destination(
        scheme=parts.scheme,
        host=parts.hostname,
        port=port or (443 if parts.scheme == "https" else 80),
        path=path,
    )


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def resolve(destination: Destination) -> str:
    """The address to connect to: the first the host resolves to, each one checked."""
    try:
        infos = socket.getaddrinfo(destination.host, destination.port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise UnsafeURL(
            stored_text(
                gettext_noop("The host %(host)s could not be found."), host=destination.host
            )
        ) from error
    addresses = [str(info[4][0]) for info in infos]
    if not addresses:
        raise UnsafeURL(
            stored_text(
                gettext_noop("The host %(host)s could not be found."), host=destination.host
            )
        )
    if not _allow_private():
        private = [a for a in addresses if not is_public(a)]
        if private:
            raise UnsafeURL(
                stored_text(
                    gettext_noop(
                        "The host %(host)s is on a private or reserved network (%(address)s); "
                        "only public addresses can receive the portal's events."
                    ),
                    host=destination.host,
                    address=private[0],
                )
            )
    return addresses[0]


_pools: dict[tuple[str, str, int, str], urllib3.HTTPConnectionPool] = {}
_pools_lock = threading.Lock()


def _pool(destination: Destination, address: str) -> urllib3.HTTPConnectionPool:
    key = (destination.scheme, address, destination.port, destination.host)
    with _pools_lock:
        pool = _pools.get(key)
        if pool is None:
            if destination.scheme == "https":
                pool = urllib3.HTTPSConnectionPool(
                    address,
                    destination.port,
                    maxsize=4,
                    server_hostname=destination.host,
                    assert_hostname=destination.host,
                    retries=False,
                )
            else:
                pool = urllib3.HTTPConnectionPool(
                    address, destination.port, maxsize=4, retries=False
                )
            _pools[key] = pool
        return pool


def post(
    url: str, body: bytes, headers: dict[str, str], *, timeout: float | None = None
) -> Outcome:
    """POST ``body`` to ``url``; never raises for what the receiver or the network does.

    :class:`UnsafeURL` is returned as an error outcome too, so a URL that became unsafe
    (its host now resolves to a private address) fails its delivery instead of the job.
    """
    seconds = float(timeout if timeout is not None else settings.OUTBOUND_TIMEOUT_SECONDS)
    started = time.monotonic()

    def outcome(
        status: int | None, error: str = "", text: str = "", failure: Failure = Failure.NONE
    ) -> Outcome:
        elapsed = int((time.monotonic() - started) * 1000)
        return Outcome(
            status=status,
            error=error,
            body=text[:MAX_BODY_KEPT],
            elapsed_ms=elapsed,
            failure=failure,
        )

    try:
        destination = check_url(url)
        address = resolve(destination)
    except UnsafeURL as error:
        return outcome(None, error.text, failure=Failure.UNSAFE)
    host_header = destination.host
    if destination.port not in (80, 443):
        host_header = f"{destination.host}:{destination.port}"
    try:
        response = _pool(destination, address).urlopen(
            "POST",
            destination.path,
            body=body,
            headers={"Host": host_header, "User-Agent": settings.OUTBOUND_USER_AGENT, **headers},
            redirect=False,
            timeout=urllib3.Timeout(connect=min(seconds, 5.0), read=seconds),
            preload_content=False,
        )
    except urllib3.exceptions.NewConnectionError:
        # Before TimeoutError: urllib3 makes a refused connection a kind of connect timeout.
        refused = gettext_noop("Could not connect: the receiver refused the connection.")
        return outcome(None, stored_text(refused), failure=Failure.REFUSED)
    except urllib3.exceptions.TimeoutError:
        late = gettext_noop("No answer within %(seconds)s seconds.")
        return outcome(None, stored_text(late, seconds=f"{seconds:g}"), failure=Failure.TIMEOUT)
    except urllib3.exceptions.HTTPError as error:
        failed = gettext_noop("Could not connect: %(error)s.")
        return outcome(
            None,
            stored_text(failed, error=error.__class__.__name__),
            failure=Failure.CONNECTION,
        )
    try:
        text = response.read(MAX_BODY_KEPT, decode_content=True).decode("utf-8", "replace")
    except urllib3.exceptions.HTTPError:
        text = ""
    finally:
        response.drain_conn()
        response.release_conn()
    return outcome(response.status, text=text)
