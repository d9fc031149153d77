"""The documented list of risky actions: privilege escalation and data exfiltration, each with why.

One list, ``data/risky_actions.json`` (its sources are named in the file), read by both features that call
these actions out, so that they cannot drift apart: the ``privilege-escalation`` security finding
(:mod:`.security`: the list's ``iam:`` entries, beside the catalog's "Permissions management" actions) and
``iam-tester access`` (every entry, as an action's ``risks``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

__all__ = ["CATEGORIES", "DATA_EXFILTRATION", "PRIVILEGE_ESCALATION", "RiskyAction", "risky_actions"]

PRIVILEGE_ESCALATION = "privilege-escalation"
DATA_EXFILTRATION = "data-exfiltration"
CATEGORIES = (PRIVILEGE_ESCALATION, DATA_EXFILTRATION)


@dataclass(frozen=True)
class RiskyAction:
    """One entry of the list: the action as the catalog spells it, its category and why it is risky."""

    action: str
    category: str
    why: str


@lru_cache(maxsize=1)
def risky_actions() -> Mapping[str, RiskyAction]:
    """Lower-cased action -> its entry, in the file's order (privilege escalation first)."""
    text = resources.files("iam_tester.policy").joinpath("data/risky_actions.json").read_text("utf-8")
    data = json.loads(text)
    return {
        str(entry["action"]).lower(): RiskyAction(str(entry["action"]), category, str(entry["why"]))
        for category in CATEGORIES
        for entry in data[category]
    }
