"""``IpAddress`` (and ``NotIpAddress`` as its negation): an IPv4 or IPv6 address against CIDR blocks. An address
of the other IP version, or a request value that is not an address, matches no block.

Source: IAM User Guide, "Condition operators", IP address condition operators (#Conditions_IPAddress).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from functools import lru_cache

from ...policy.values import IpNetwork, parse_ip_network
from .base import AnyMatch, Comparison, joined

__all__ = ["IP_COMPARISONS"]


@lru_cache(maxsize=8192)
def _address(value: str) -> tuple[int, int] | None:
    """(IP version, address as an integer), or ``None`` for a value that is not an address."""
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    return address.version, int(address)


def _build(prepared: Sequence[object]) -> AnyMatch:
    networks: tuple[IpNetwork, ...] = tuple(prepared)  # type: ignore[arg-type]
    # Integer masks: a containment test without building address objects per request.
    blocks = tuple((n.version, int(n.network_address), int(n.netmask)) for n in networks)

    def any_match(value: str) -> bool:
        parsed = _address(value)
        if parsed is None:
            return False
        version, number = parsed
        for v, network, mask in blocks:  # noqa: SIM110 - a plain loop: no generator per call on the hot path
            if version == v and number & mask == network:
                return True
        return False

    return any_match


IP_COMPARISONS = {"Within": Comparison(lambda chunks: parse_ip_network(joined(chunks)), _build)}
