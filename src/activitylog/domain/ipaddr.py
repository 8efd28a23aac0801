"""IP addresses as the log stores them: normalised text for people, a 16-byte key for range queries.

IPv4 addresses (and IPv4-mapped IPv6 ones) are keyed inside ::ffff:0:0/96, so one BLOB column orders every
address and a CIDR filter of either family is a single range scan.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from functools import lru_cache

_V4_MAPPED_PREFIX = bytes(10) + b"\xff\xff"


@lru_cache(maxsize=65_536)
def normalise(text: str) -> tuple[str, bytes]:
    """The canonical text of an address and its key; raises ValueError when it is not an address.

    Cached: a workspace's events come from a few addresses per teammate, and parsing one costs more than
    everything else about recording an entry.
    """
    address = ipaddress.ip_address(text.strip())
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return str(address), key(address)


def key(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bytes:
    if isinstance(address, ipaddress.IPv4Address):
        return _V4_MAPPED_PREFIX + address.packed
    return address.packed


@dataclass(frozen=True, slots=True)
class IPRange:
    """An address or CIDR block, as given (`text`) and as the inclusive key range it covers."""

    text: str
    low: bytes
    high: bytes

    @classmethod
    def parse(cls, text: str) -> IPRange:
        """Accepts `203.0.113.7`, `203.0.113.0/24`, `2001:db8::/32`; raises ValueError otherwise."""
        network = ipaddress.ip_network(text.strip(), strict=False)
        return cls(
            str(network) if network.num_addresses > 1 else str(network.network_address),
            key(network.network_address),
            key(network.broadcast_address),
        )
