"""Fees: computing what a request costs from the unified guide's fee rules."""

from localgov.fees.assessment import FeeError, assess, compute_fee

__all__ = ["FeeError", "assess", "compute_fee"]
