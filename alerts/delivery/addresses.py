"""Where a webhook may go: public addresses only, unless settings allow a network.

A webhook URL is typed by a manager but fetched by our server, from inside our
network: without this check it could read the cloud's metadata service
(169.254.169.254), an internal admin page or a database port. So the URL is checked
when the endpoint is saved, and again at every send *after* DNS resolution — a name
that resolved to a public address yesterday may resolve to 127.0.0.1 today (DNS
rebinding) — and the connection goes to the very address that was checked, never to
a second lookup.

Refused: private (10/8, 172.16/12, 192.168/16, fc00::/7), loopback (127/8, ::1),
link-local (169.254/16, fe80::/10), unspecified (0.0.0.0, ::), multicast, and every
other range that is not globally routable (shared 100.64/10, documentation, reserved),
also when written as an IPv4-mapped IPv6 address. `ALERTS_WEBHOOK_ALLOWED_NETWORKS`
(CIDR list) lets chosen networks through, e.g. 127.0.0.0/8 for a receiver on the same
machine.
"""
from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class ForbiddenAddress(Exception):
    """The URL leads somewhere webhooks may not go; the message says why."""


def _allowed_networks():
    return [ipaddress.ip_network(cidr.strip(), strict=False) for cidr in settings.ALERTS_WEBHOOK_ALLOWED_NETWORKS
            if cidr.strip()]


def address_refusal(address: Address) -> str | None:
    """Why this address is refused, or None if a webhook may connect to it."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if any(address in network for network in _allowed_networks()):
        return None
    for flag, reason in (("is_unspecified", _("an unspecified address")), ("is_loopback", _("a loopback address")),
                         ("is_link_local", _("a link-local address")), ("is_multicast", _("a multicast address")),
                         ("is_private", _("a private address")), ("is_reserved", _("a reserved address"))):
        if getattr(address, flag):
            return reason
    if not address.is_global:
        return _("an address that is not publicly routable")
    return None


def split_target(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of an http(s) URL; ForbiddenAddress for anything else."""
    try:
        parts = urlsplit(url or "")
        port = parts.port
    except ValueError as exc:
        raise ForbiddenAddress(_("The URL is malformed.")) from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ForbiddenAddress(_("The URL must be an http or https address."))
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80)


def _literal(host: str) -> Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def resolve_checked(url: str) -> tuple[str, str, int, Address]:
    """Resolve the URL's host and check every address it has: one bad address refuses
    the whole name (an attacker controls which one a client would pick). Returns
    (scheme, host, port, the address to connect to). ForbiddenAddress if refused;
    OSError if the name does not resolve (worth retrying)."""
    scheme, host, port = split_target(url)
    literal = _literal(host)
    if literal is not None:
        addresses = [literal]
    else:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        addresses = list(dict.fromkeys(ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in infos))
        if not addresses:
            raise OSError(f"{host} has no address")
    for address in addresses:
        reason = address_refusal(address)
        if reason:
            raise ForbiddenAddress(_("Webhooks may not be sent to %(host)s: it is %(reason)s (%(address)s).")
                                   % {"host": host, "reason": reason, "address": address})
    return scheme, host, port, addresses[0]


def url_refusal(url: str) -> str | None:
    """The check when an endpoint is saved: why the URL is refused, or None. A name that
    does not resolve yet is accepted; the send-time check still applies to it."""
    try:
        resolve_checked(url)
    except ForbiddenAddress as exc:
        return str(exc)
    except (OSError, UnicodeError):
        return None
    return None
