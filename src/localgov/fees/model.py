"""The fee values a request carries: the invoice and its lines, and the exemptions officials grant.

They belong to fees, not to requests: the engine stores an :class:`Invoice` on the request, but
assessing it (:func:`localgov.fees.assess`) needs nothing of the request's lifecycle.
"""

from __future__ import annotations

from decimal import Decimal

import attrs

from localgov.fees.rules import FeeError
from localgov.i18n import LocalizedText

__all__ = ["FeeLine", "GrantedExemption", "Invoice"]


@attrs.frozen
class FeeLine:
    """One line of an invoice, tagged with the revenue item it is paid into."""

    rule: str
    revenue_item: str
    name: LocalizedText
    amount: Decimal


@attrs.frozen
class Invoice:
    """What a request owes: its fee lines, exemptions (negative lines) and penalties."""

    lines: tuple[FeeLine, ...]

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0.00"))


@attrs.frozen
class GrantedExemption:
    """An exemption an authorised official grants on one request (a committee decision, say).

    :param rule: the fee rule it applies to.
    :param reason: why, in Arabic and English; recorded on the invoice.
    :param granted_by: the staff id of who granted it.
    :param percent: how much of the fee is waived (100: all of it).
    :param reference: the number of the decision that grants it, if any.
    """

    rule: str
    reason: LocalizedText
    granted_by: str
    percent: Decimal = Decimal(100)
    reference: str | None = None

    def __attrs_post_init__(self) -> None:
        if not 0 < self.percent <= 100:
            raise FeeError(f"exemption from {self.rule!r}: percent must be above 0 and at most 100, got {self.percent}")
        if not self.granted_by.strip():
            raise FeeError(f"exemption from {self.rule!r}: granted_by must name who granted it")
