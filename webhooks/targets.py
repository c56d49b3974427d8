"""Where a webhook may be sent: only to addresses on the public internet.

An endpoint's URL is chosen by a user, and the sender posts to it from inside the
brand's network; without a check, a URL such as http://169.254.169.254/ (a cloud's
metadata service), http://127.0.0.1:5432/ or http://10.0.0.5/admin would make the portal
reach what only the portal's own machine can reach (server-side request forgery). So the
host is resolved and every address it resolves to must be public:

- on registration (the endpoint form and the API refuse the URL, in the reader's
  language), and
- at every delivery: the host is resolved again (its DNS may have changed since) and
  the request goes to the address that was checked, not to a second lookup an attacker
  could answer differently (DNS rebinding). The Host header and, for https, the TLS
  server name and certificate check stay the URL's host name.

Refused: loopback, private (RFC 1918, IPv6 unique-local fc00::/7), link-local (the
metadata address 169.254.169.254 among them), multicast, reserved, unspecified, shared
(100.64.0.0/10) and any other address that is not globally routable, also when written
inside an IPv6 address (::ffff:10.0.0.1, 6to4, Teredo, NAT64).

``WEBHOOK_ALLOW_PRIVATE_TARGETS=1`` (settings.webhook_allow_private_targets) lifts the
rule: for the test suite, whose receiver listens on 127.0.0.1, and for an installation
whose receivers are deliberately on its own network. It is off by default.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from partner_portal.i18n import N_

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# IPv6 translated to IPv4 by a NAT64 gateway (RFC 6052): the last 32 bits are the target.
NAT64 = ipaddress.IPv6Network("64:ff9b::/96")

# Why a target is refused: message ids, translated where they are shown.
NOT_PUBLIC = N_(
    "This address leads to a private or internal network (%(address)s): webhooks are "
    "only sent to addresses on the public internet."
)
NOT_FOUND = N_("The host %(host)s could not be found.")
NOT_A_URL = N_("This is not an http:// or https:// address.")
RESOLVE_TIMEOUT = 5.0  # seconds


@dataclass(frozen=True)
class Target:
    """A URL checked for sending: the address to connect to (None: not checked, because
    private targets are allowed), or why it is refused (``refusal`` and its ``params``)."""

    url: str
    host: str
    address: IPAddress | None = None
    refusal: str = ""
    params: tuple[tuple[str, str], ...] = ()

    @property
    def refused(self) -> bool:
        return bool(self.refusal)


def _embedded(address: IPAddress) -> IPAddress | None:
    """The IPv4 address an IPv6 address carries (IPv4-mapped, 6to4, Teredo), if any."""
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def is_public(address: IPAddress) -> bool:
    """Whether a webhook may be sent to ``address``."""
    inner = _embedded(address)
    if inner is not None and not is_public(inner):
        return False
    return not (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or getattr(address, "is_site_local", False)
        or not address.is_global
    )


async def _resolve(host: str, port: int) -> list[IPAddress]:
    """Every address ``host`` resolves to (an address literal is itself); [] if none."""
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    try:
        found = await asyncio.wait_for(
            loop.getaddrinfo(host, port, type=socket.SOCK_STREAM), RESOLVE_TIMEOUT
        )
    except (OSError, TimeoutError, UnicodeError):
        return []
    addresses: list[IPAddress] = []
    for _family, _type, _proto, _name, sockaddr in found:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    return addresses


def _port(parts: SplitResult) -> int:
    try:
        port = parts.port
    except ValueError:
        port = None
    return port or (443 if parts.scheme == "https" else 80)


async def check(url: str, allow_private: bool) -> Target:
    """Resolve ``url``'s host and judge it: the address to send to, or the refusal."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or not host:
        return Target(url, host, refusal=NOT_A_URL)
    if allow_private:
        return Target(url, host)
    addresses = await _resolve(host, _port(parts))
    if not addresses:
        return Target(url, host, refusal=NOT_FOUND, params=(("host", host),))
    for address in addresses:
        if not is_public(address):
            return Target(url, host, refusal=NOT_PUBLIC, params=(("address", str(address)),))
    return Target(url, host, address=addresses[0])


def pinned_url(target: Target) -> str:
    """The target's URL with its host replaced by the address that was checked (the URL
    as it is when private targets are allowed and nothing was resolved)."""
    if target.address is None:
        return target.url
    parts = urlsplit(target.url)
    userinfo, at, _host = parts.netloc.rpartition("@")
    literal = f"[{target.address}]" if target.address.version == 6 else str(target.address)
    netloc = literal if parts.port is None else f"{literal}:{parts.port}"
    return parts._replace(netloc=f"{userinfo}{at}{netloc}").geturl()


def host_header(target: Target) -> str:
    """The Host header of a request to the target: its URL's host and port."""
    parts = urlsplit(target.url)
    host = f"[{target.host}]" if ":" in target.host else target.host
    return host if parts.port is None else f"{host}:{parts.port}"
