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
        "free_statement", unit="zeitoun", channel="front_desk", service_point="zeitoun_tc", actor=clerk,
        applicant=Applicant("27803140123452", "محمد أحمد", "01012345678"), form={}, at=AT,
    )
    after = engine.act(request.id, "assess_fees", assessor, at=AT + datetime.timedelta(hours=1))
    assert after.invoice is not None and after.invoice.total == 0
    assert after.state == "paid" and after.closed and after.issued is not None
    actions = [(e.action, e.actor) for e in engine.history(request.id)]
    assert actions == [("submit", "clerk"), ("assess_fees", "assessor"), ("confirm_payment", "system")]
    assert engine.verify_history(request.id) == []
