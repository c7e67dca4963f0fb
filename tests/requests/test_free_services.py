"""A request with nothing to pay does not wait for a payment: the system moves it on at once."""

from __future__ import annotations

import datetime
from pathlib import Path

from localgov.app import Localgov
from localgov.organisation import StaffMember
from localgov.requests.model import Applicant

FREE_SERVICE = """
[fee_rules.free_statement_fee]
name = { ar = "رسم البيان", en = "Statement fee" }
revenue_item = "free_statement"
kind = "fixed"
amount = "0"

[services.free_statement]
name = { ar = "بيان مجاني", en = "Free statement" }
description = { ar = "بيان يصدر دون رسوم", en = "A statement issued free of charge" }
category = "payments"
department = "revenue"
workflow = "payment"
time_limit_days = 2
channels = ["front_desk"]
issues = { kind = "receipt" }
fees = [{ rule = "free_statement_fee" }]
"""

AT = datetime.datetime(2026, 3, 1, 9, 0, tzinfo=datetime.UTC)


def test_an_invoice_of_zero_moves_on_without_waiting(tmp_path: Path) -> None:
    path = tmp_path / "free.toml"
    path.write_text(FREE_SERVICE, encoding="utf-8")
    clerk = StaffMember("clerk", "منى", "zeitoun", {"front_desk_clerk"})
    assessor = StaffMember("assessor", "عمر", "zeitoun", {"fee_assessor"})
    engine = Localgov(plugins=["cairo"], catalogue=[path]).engine("sqlite://", staff=[clerk, assessor])
    request = engine.submit(
        "free_statement",
        unit="zeitoun",
        channel="front_desk",
        service_point="zeitoun_tc",
        actor=clerk,
        applicant=Applicant("27803140123452", "محمد أحمد", "01012345678"),
        form={},
        at=AT,
    )
    after = engine.act(request.id, "assess_fees", assessor, at=AT + datetime.timedelta(hours=1))
    assert after.invoice is not None and after.invoice.total == 0
    assert after.state == "paid" and after.closed and after.issued is not None
    actions = [(e.action, e.actor) for e in engine.history(request.id)]
    assert actions == [("submit", "clerk"), ("assess_fees", "assessor"), ("confirm_payment", "system")]
    assert engine.verify_history(request.id) == []


def test_an_exemption_granted_at_assessment_is_on_the_invoice_and_in_the_history(tmp_path: Path) -> None:
    from decimal import Decimal

    import pytest

    from localgov.fees import GrantedExemption
    from localgov.i18n import LocalizedText
    from localgov.requests.errors import ActionNotAllowed, RoleNotAllowed

    clerk = StaffMember("clerk", "منى", "zeitoun", {"front_desk_clerk"})
    assessor = StaffMember("assessor", "عمر", "zeitoun", {"fee_assessor"})
    engine = Localgov(plugins=["cairo"]).engine("sqlite://", staff=[clerk, assessor])
    request = engine.submit(
        "rent_debt_payment",
        unit="zeitoun",
        channel="front_desk",
        service_point="zeitoun_tc",
        actor=clerk,
        applicant=Applicant("27803140123452", "محمد أحمد", "01012345678"),
        form={"payment_kind": "rent", "account_reference": "R-1/ZTN", "amount_due": "1000.00"},
        at=AT,
    )
    rule = engine.catalogue.service("rent_debt_payment").fees[0].rule
    reason = LocalizedText("قرار لجنة البحث الاجتماعي", "Social research committee decision")
    half = GrantedExemption(rule=rule, reason=reason, granted_by="assessor", percent=Decimal(50), reference="12/2026")
    with pytest.raises(RoleNotAllowed):
        engine.act(request.id, "assess_fees", assessor, exemptions=[GrantedExemption(rule, reason, "someone-else")])
    with pytest.raises(ActionNotAllowed, match="charges no fee"):
        engine.act(
            request.id, "assess_fees", assessor, exemptions=[GrantedExemption("no_such_fee", reason, "assessor")]
        )
    after = engine.act(request.id, "assess_fees", assessor, exemptions=[half], at=AT + datetime.timedelta(hours=1))
    assert after.invoice is not None and after.invoice.total == Decimal("500.00")
    assert any(line.amount < 0 for line in after.invoice.lines)
    recorded = engine.history(request.id)[-1].data["changes"]["exemptions"]
    assert recorded == [
        {
            "rule": rule,
            "percent": "50",
            "reason": {"ar": reason.ar, "en": reason.en},
            "granted_by": "assessor",
            "reference": "12/2026",
        }
    ]
    assert engine.verify_history(request.id) == []
