"""Late-payment penalties: a percentage of the fee for each month, or part of a month, late."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import attrs

from localgov.catalogue.model import FeeRule, LatePenalty
from localgov.fees.rules import FeeError, to_piastres
from localgov.i18n import to_western_digits

__all__ = ["LateCharge", "add_months", "late_charge", "months_late"]


@attrs.frozen
class LateCharge:
    """The penalty one fee carries: ``months`` started since ``due`` at ``rate`` percent a month."""

    rule: str
    revenue_item: str
    due: datetime.date
    months: int
    rate: Decimal
    amount: Decimal


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` moved ``months`` calendar months on; the 31st becomes the month's last day."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    following = datetime.date(year + month // 12, month % 12 + 1, 1)
    return datetime.date(year, month, min(day.day, (following - datetime.timedelta(days=1)).day))


def months_late(due: datetime.date, as_of: datetime.date, grace_days: int = 0) -> int:
    """Months or parts of a month from ``due`` to ``as_of``; 0 if paid by ``due`` + ``grace_days``.

    The grace period forgives, it does not move the due date: once it has passed, the months are
    counted from the due date itself (the usual wording of Egyptian fee laws: «عن كل شهر أو جزء منه»).
    """
    if as_of <= due + datetime.timedelta(days=grace_days):
        return 0
    # Start from the whole years and months between the dates, then step to the first bound past as_of.
    months = max((as_of.year - due.year) * 12 + as_of.month - due.month - 1, 0)
    while add_months(due, months) < as_of:
        months += 1
    return months


def _due_date(rule: FeeRule, penalty: LatePenalty, form: Mapping[str, Any]) -> datetime.date | None:
    if penalty.due_date is not None:
        return penalty.due_date
    assert penalty.due_field is not None  # checked when the catalogue loaded
    value = form.get(penalty.due_field)
    if value is None or value == "":
        return None  # an optional field left empty: nothing to be late for
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(to_western_digits(value.strip()))
        except ValueError:
            pass
    raise FeeError(
        f"fee rule {rule.code!r}: field {penalty.due_field!r} must be a date (YYYY-MM-DD), got {str(value)[:40]!r}"
    )


def late_charge(rule: FeeRule, fee: Decimal, form: Mapping[str, Any], as_of: datetime.date) -> LateCharge | None:
    """The penalty on ``fee`` (the rule's amount after any exemption) paid on ``as_of``, if any is owed."""
    penalty = rule.late_penalty
    if penalty is None or fee <= 0:
        return None
    due = _due_date(rule, penalty, form)
    if due is None:
        return None
    months = months_late(due, as_of, penalty.grace_days)
    if months == 0:
        return None
    amount = fee * penalty.rate * months / 100
    if penalty.cap_percent is not None:
        amount = min(amount, fee * penalty.cap_percent / 100)
    amount = to_piastres(amount)
    if amount <= 0:
        return None
    return LateCharge(rule.code, penalty.revenue_item or rule.revenue_item, due, months, penalty.rate, amount)
