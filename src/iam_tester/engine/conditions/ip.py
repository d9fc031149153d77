"""``IpAddress`` (and ``NotIpAddress`` as its negation): an IPv4 or IPv6 address against CIDR blocks. An address
of the other IP version, or a request value that is not an address, matches no block.

Source: IAM User Guide, "Condition operators", IP address condition operators (#Conditions_IPAddress).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from ...policy.values import IpNetwork, parse_ip_network
from .base import AnyMatch, Comparison, joined

__all__ = ["IP_COMPARISONS"]


def _build(prepared: Sequence[object]) -> AnyMatch:
    networks: tuple[IpNetwork, ...] = tuple(prepared)  # type: ignore[arg-type]

    def any_match(value: str) -> bool:
        try:
            address = ipaddress.ip_address(value.strip())
        except ValueError:
            return False
        return any(address in network for network in networks)

    return any_match


IP_COMPARISONS = {"ipaddress": Comparison(lambda chunks: parse_ip_network(joined(chunks)), _build)}
