"""Itemised assessment: lines tagged with revenue items, exemptions with who and why, penalties."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from localgov.catalogue import Catalogue
from localgov.fees import (
    CATALOGUE_GRANTOR,
    FeeError,
    GrantedExemption,
    assess,
    assess_itemised,
    months_late,
)
from localgov.i18n import LocalizedText

FORM = {"floors": "4", "built_area": "600", "estimated_cost": "1000000.00", "owner_kind": "person"}
DAY = datetime.date(2026, 3, 1)


def test_each_line_is_tagged_with_its_revenue_item(catalogue: Catalogue) -> None:
    service = catalogue.service("t_shop")
    assessment = assess_itemised(service, catalogue, FORM, as_of=DAY)
    amounts = {fee.rule: (fee.revenue_item, fee.net) for fee in assessment.fees}
    assert amounts == {
        "t_fixed": ("R-FIX", Decimal("150.00")),
        "t_floors": ("R-FLR", Decimal("800.00")),
        "t_area": ("R-AREA", Decimal("1900.00")),  # 100x2 + 400x3 + 100x5
        "t_review": ("R-REV", Decimal("5000.00")),  # 0.5% of 1,000,000
        "t_renewal": ("R-REN", Decimal("1000.00")),  # no expiry given: nothing late
    }
    assert assessment.total == Decimal("8850.00")
    assert assess(service, catalogue, FORM, as_of=DAY).total == assessment.total
    floors = next(f for f in assessment.fees if f.rule == "t_floors")
    assert floors.quantity == Decimal(4) and floors.unit == LocalizedText("دور", "floor")


def test_a_legal_exemption_is_recorded_with_its_reason_and_basis(catalogue: Catalogue) -> None:
    service = catalogue.service("t_shop")
    assessment = assess_itemised(service, catalogue, {**FORM, "owner_kind": "nonprofit"}, as_of=DAY)
    review = next(f for f in assessment.fees if f.rule == "t_review")
    assert review.gross == Decimal("5000.00") and review.net == Decimal("0.00")
    assert review.exemption is not None
    assert (review.exemption.code, review.exemption.granted_by, review.exemption.legal_basis) == (
        "nonprofit",
        CATALOGUE_GRANTOR,
        "Law 149/2019",
    )
    renewal = next(f for f in assessment.fees if f.rule == "t_renewal")
    assert renewal.net == Decimal("500.00")  # half waived
    invoice = assessment.invoice()
    exemption_lines = [line for line in invoice.lines if line.amount < 0]
    assert [(line.rule, line.revenue_item, line.amount) for line in exemption_lines] == [
        ("t_review:exemption", "R-REV", Decimal("-5000.00")),
        ("t_renewal:exemption", "R-REN", Decimal("-500.00")),
    ]
    assert "Registered non-profit" in exemption_lines[0].name.en and "جمعية أهلية" in exemption_lines[0].name.ar
    assert invoice.total == assessment.total == Decimal("150.00") + 800 + 1900 + 500


def test_a_granted_exemption_records_who_granted_it(catalogue: Catalogue) -> None:
    service = catalogue.service("t_shop")
    grant = GrantedExemption(
        "t_fixed",
        LocalizedText("قرار لجنة", "Committee decision"),
        granted_by="head1",
        percent=Decimal(100),
        reference="12/2026",
    )
    assessment = assess_itemised(service, catalogue, FORM, as_of=DAY, exemptions=[grant])
    fixed = next(f for f in assessment.fees if f.rule == "t_fixed")
    assert fixed.exemption is not None and fixed.exemption.granted_by == "head1"
    assert fixed.exemption.legal_basis == "12/2026" and fixed.net == 0
    with pytest.raises(FeeError, match="no such fee"):
        assess_itemised(
            service, catalogue, FORM, as_of=DAY, exemptions=[GrantedExemption("nope", grant.reason, "head1")]
        )
    with pytest.raises(FeeError, match="percent"):
        GrantedExemption("t_fixed", grant.reason, "head1", percent=Decimal(150))


def test_the_most_favourable_exemption_applies_and_they_do_not_add_up(catalogue: Catalogue) -> None:
    service = catalogue.service("t_shop")
    grant = GrantedExemption("t_renewal", LocalizedText("قرار", "Decision"), "head1", percent=Decimal(20))
    assessment = assess_itemised(service, catalogue, {**FORM, "owner_kind": "nonprofit"}, as_of=DAY, exemptions=[grant])
    renewal = next(f for f in assessment.fees if f.rule == "t_renewal")
    assert renewal.exemption is not None and renewal.exemption.code == "nonprofit_half"
    assert renewal.net == Decimal("500.00")


def test_a_late_renewal_pays_a_penalty_per_month_or_part_booked_to_its_own_item(catalogue: Catalogue) -> None:
    service = catalogue.service("t_shop")
    expiry = datetime.date(2025, 12, 15)
    form = {**FORM, "expiry": expiry.isoformat()}
    # Within the 30-day grace: nothing.
    within = assess_itemised(service, catalogue, form, as_of=datetime.date(2026, 1, 14))
    assert next(f for f in within.fees if f.rule == "t_renewal").late is None
    # 2 months and a day after expiry: 3 months started, 2% each, counted from the due date.
    late = assess_itemised(service, catalogue, form, as_of=datetime.date(2026, 2, 16))
    renewal = next(f for f in late.fees if f.rule == "t_renewal")
    assert renewal.late is not None
    assert (renewal.late.months, renewal.late.amount, renewal.late.revenue_item) == (3, Decimal("60.00"), "R-LATE")
    assert late.by_revenue_item()["R-LATE"] == Decimal("60.00")
    # Capped at 50% of the fee however late.
    very_late = assess_itemised(service, catalogue, form, as_of=datetime.date(2030, 1, 1))
    assert next(f for f in very_late.fees if f.rule == "t_renewal").late.amount == Decimal("500.00")  # type: ignore[union-attr]


def test_the_penalty_is_on_what_remains_after_an_exemption(catalogue: Catalogue) -> None:
    service = catalogue.service("t_shop")
    form = {**FORM, "owner_kind": "nonprofit", "expiry": "2025-12-15"}
    renewal = next(
        f
        for f in assess_itemised(service, catalogue, form, as_of=datetime.date(2026, 2, 16)).fees
        if f.rule == "t_renewal"
    )
    assert renewal.late is not None and renewal.late.amount == Decimal("30.00")  # 3 x 2% of 500


@pytest.mark.parametrize(
    ("due", "as_of", "grace", "months"),
    [
        ("2026-01-31", "2026-01-31", 0, 0),
        ("2026-01-31", "2026-02-01", 0, 1),
        ("2026-01-31", "2026-02-28", 0, 1),
        ("2026-01-31", "2026-03-01", 0, 2),
        ("2026-01-15", "2026-03-15", 0, 2),
        ("2026-01-15", "2026-03-16", 0, 3),
        ("2026-01-15", "2026-02-10", 30, 0),
        ("2026-01-15", "2026-02-15", 30, 1),
        ("2024-02-29", "2025-02-28", 0, 12),
        ("2024-02-29", "2025-03-01", 0, 13),
    ],
)
def test_months_late_counts_months_or_parts(due: str, as_of: str, grace: int, months: int) -> None:
    assert months_late(datetime.date.fromisoformat(due), datetime.date.fromisoformat(as_of), grace) == months


def test_a_bad_due_date_in_the_form_is_a_fee_error(catalogue: Catalogue) -> None:
    with pytest.raises(FeeError, match="'expiry'"):
        assess_itemised(catalogue.service("t_shop"), catalogue, {**FORM, "expiry": "last year"}, as_of=DAY)
