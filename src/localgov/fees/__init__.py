"""Fees: what a request costs, from the unified guide's fee rules, in exact decimal pounds.

- :func:`compute_fee`: one rule's amount (fixed, per unit, tiered, percentage; within min/max);
- :func:`estimate`: before submission, from a partly filled form;
- :func:`assess_itemised`: the itemised record after assessment (exemptions, late penalties);
- :func:`assess`: the :class:`~localgov.fees.Invoice` the engine stores.
"""

from localgov.catalogue.model import FeeExemption, LatePenalty
from localgov.fees.assessment import (
    CATALOGUE_GRANTOR,
    AppliedExemption,
    AssessedFee,
    Assessment,
    assess,
    assess_fee,
    assess_itemised,
)
from localgov.fees.estimate import Estimate, UndeterminedFee, estimate
from localgov.fees.model import FeeLine, GrantedExemption, Invoice
from localgov.fees.penalties import LateCharge, add_months, late_charge, months_late
from localgov.fees.rules import PIASTRE, FeeError, compute_fee, tiered_amount, to_piastres

__all__ = [
    "CATALOGUE_GRANTOR",
    "PIASTRE",
    "AppliedExemption",
    "AssessedFee",
    "Assessment",
    "Estimate",
    "FeeError",
    "FeeExemption",
    "FeeLine",
    "GrantedExemption",
    "Invoice",
    "LateCharge",
    "LatePenalty",
    "UndeterminedFee",
    "add_months",
    "assess",
    "assess_fee",
    "assess_itemised",
    "compute_fee",
    "estimate",
    "late_charge",
    "months_late",
    "tiered_amount",
    "to_piastres",
]
