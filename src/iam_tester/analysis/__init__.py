"""Questions over many requests, answered offline with witnesses: what a principal may do (:func:`effective_access`),
what a new version of a policy allows that the old one does not (:func:`diff_policies`), and who outside an
account a resource or trust policy lets in (:func:`exposure`).

Every answer is a frozen result (:mod:`.results`); every finding carries a concrete request that the evaluator
decided. How the search stays sound and fast: :mod:`.search`.
"""

from .access import WITNESS_PRINCIPAL, effective_access
from .diff import DIFF_KINDS, diff_policies
from .exposure import exposure
from .results import AccessReport, ActionAccess, DiffReport, Exposure, ExposureReport, Finding, Undecided

__all__ = [
    "DIFF_KINDS",
    "WITNESS_PRINCIPAL",
    "AccessReport",
    "ActionAccess",
    "DiffReport",
    "Exposure",
    "ExposureReport",
    "Finding",
    "Undecided",
    "diff_policies",
    "effective_access",
    "exposure",
]
