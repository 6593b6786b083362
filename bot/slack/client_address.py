"""Which client an HTTP request came from, for the shared pages' rate limit: the TCP peer, or,
when the peer is a proxy the operator trusts (the setting TRUSTED_PROXIES), the right-most
X-Forwarded-For address that is not itself a trusted proxy. An IPv4 client is its address; an
IPv6 client is its /64, the block one subscriber line or host is given (RFC 6177), inside which it
can pick a new address for every request.

Right-most, never left-most: each proxy appends the address it was reached from, so the entries
right of the first untrusted one were written by our own proxies, and everything left of it is
whatever the client chose to send.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
FORWARDED_FOR = "X-Forwarded-For"


def parse_networks(value: str) -> tuple[Network, ...]:
    """Comma-separated addresses and CIDR blocks (`10.0.0.0/8, 192.0.2.7`); ValueError with one
    sentence naming the entry that is neither, or that trusts everyone (`0.0.0.0/0`)."""
    networks = []
    for entry in (part.strip() for part in value.split(",")):
        if not entry:
            continue
        try:
            # strict=False: `10.1.2.3/8` means the block it is in, as operators write it.
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ValueError(
                f"{entry[:60]!r} is not an IP address or CIDR block; use comma-separated "
                "addresses or blocks, e.g. 10.0.0.0/8,192.0.2.7"
            ) from None
        if networks[-1].prefixlen == 0:
            # Every hop trusted: the left-most address, which the client writes, would count.
            raise ValueError(
                f"{entry} trusts every address, so any client could pick its own; name your "
                "proxies' addresses or blocks, e.g. 10.0.0.0/8"
            )
    return tuple(networks)


@dataclass(frozen=True)
class TrustedProxies:
    networks: tuple[Network, ...] = ()

    def trusts(self, address: Address) -> bool:
        return any(address in network for network in self.networks)

    def client(self, peer: str | None, forwarded_for: Iterable[str] = ()) -> str | None:
        """The client (canonical text: an IPv4 address, an IPv6 /64), from the TCP peer's and
        the X-Forwarded-For headers' values (several headers count as one list, in order)."""
        peer_address = parse_address(peer)
        if peer_address is None:
            return peer  # not an IP (a Unix socket): nothing to trust, the limiter keys on it
        return client_of(self._forwarded(peer_address, forwarded_for))

    def _forwarded(self, peer_address: Address, forwarded_for: Iterable[str]) -> Address:
        """The address the request came from: the peer, or the hop a trusted proxy forwarded."""
        if not self.trusts(peer_address):
            return peer_address
        client = peer_address
        hops = [hop for header in forwarded_for for hop in header.split(",")]
        for hop in reversed(hops):
            address = parse_address(hop)
            if address is None:
                # Not an address: no proxy of ours wrote it, so the last hop we could read is
                # the nearest we know of the client.
                break
            client = address
            if not self.trusts(address):
                break
        # Every hop trusted (a request from a proxy's own network): the left-most one we read.
        return client


def client_of(address: Address) -> str:
    """The client an address belongs to, as its budget is named: an IPv4 address as itself, an
    IPv6 address as its /64 (`2001:db8:1:2::/64`), so rotating addresses within it buys nothing."""
    if isinstance(address, ipaddress.IPv4Address):
        return str(address)
    # From the integer, not ip_network(): an address with a zone (`fe80::1%eth0`) has no network.
    return str(ipaddress.IPv6Network((int(address) >> 64 << 64, 64)))


def parse_address(text: str | None) -> Address | None:
    """An address as a proxy writes it (`192.0.2.7`, `192.0.2.7:5100`, `[2001:db8::1]:443`,
    `2001:db8::1`), IPv4-mapped IPv6 as IPv4; None for anything else."""
    if not text:
        return None
    text = text.strip()
    if text.startswith("["):
        text = text[1 : text.find("]")] if "]" in text else ""
    elif text.count(":") == 1:
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address
