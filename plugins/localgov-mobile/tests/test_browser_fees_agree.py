"""The browser client's fee estimate (fees.js, run under Node) against localgov's own
(:func:`localgov.fees.estimate`), on the rules the bundle carries (key 14): the mobile services'
own, and made-up ones of every kind (fixed, per unit, percentage, tiered; minimum and maximum;
exemptions; late penalties on a date field and on a fixed date), on many forms and days. The
same fees, the same amounts to the piastre, the same ones undetermined."""

from __future__ import annotations

import datetime
import json
import random
import shutil
import subprocess
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import attrs
import pytest
from localgov_mobile.bundle import forms_json
from mobile_harness import cairo

from localgov.catalogue.model import (
    Condition,
    FeeExemption,
    FeeItem,
    FeeRule,
    FeeRuleKind,
    FeeTier,
    LatePenalty,
)
from localgov.fees import estimate
from localgov.i18n import LocalizedText

MOBILE = ("shop_licence_renewal", "occupancy_licence_renewal", "advertisement_licence_renewal")
NAME = LocalizedText("رسم", "A fee")


def _rule(code: str, kind: FeeRuleKind, **values: Any) -> FeeRule:
    return FeeRule(code, NAME, f"item_{code}", kind, **values)


RULES = [
    _rule("flat", FeeRuleKind.FIXED, amount=Decimal(50)),
    _rule("per_m2", FeeRuleKind.PER_UNIT, rate=Decimal("2.5"), basis="area", minimum=Decimal(10), maximum=Decimal(500)),
    _rule("share", FeeRuleKind.PERCENTAGE, rate=Decimal("1.5"), basis="value"),
    _rule(
        "bands",
        FeeRuleKind.TIERED,
        basis="area",
        tiers=(
            FeeTier(Decimal("1.05"), Decimal(100)),
            FeeTier(Decimal("0.5"), Decimal(1000)),
            FeeTier(Decimal("0.255")),
        ),
        minimum=Decimal(5),
    ),
    _rule(
        "late_on_expiry",
        FeeRuleKind.FIXED,
        amount=Decimal(120),
        late_penalty=LatePenalty(Decimal(2), due_field="expiry", grace_days=30, cap_percent=Decimal(50)),
    ),
    _rule(
        "late_fixed_day",
        FeeRuleKind.PER_UNIT,
        rate=Decimal("0.75"),
        basis="value",
        late_penalty=LatePenalty(Decimal("1.5"), due_date=datetime.date(2026, 6, 30)),
    ),
    _rule(
        "exempted",
        FeeRuleKind.FIXED,
        amount=Decimal("33.33"),
        exemptions=(
            FeeExemption("veteran", NAME, Condition("status", ("veteran",))),
            FeeExemption("student", NAME, Condition("status", ("student", "veteran")), Decimal(50)),
            FeeExemption("partly", NAME, Condition("kinds", ("x",)), Decimal("12.5")),
        ),
        late_penalty=LatePenalty(Decimal(10), due_field="expiry"),
    ),
]
ITEMS = (
    FeeItem("flat"),
    FeeItem("per_m2", Condition("kinds", ("a", "b"))),
    FeeItem("share"),
    FeeItem("bands", Condition("status", ("owner",))),
    FeeItem("late_on_expiry"),
    FeeItem("late_fixed_day"),
    FeeItem("exempted"),
)
VALUES: dict[str, list[Any]] = {
    "area": ["12.5", "6", "0", "150", "1500", "٤٠", "1_000", "1e3", "0e20", "-1", "abc", 7, True, 2.5, "1e-50",
             "  3 ", "Infinity", "1e16", "999999999999999.99", "", None, ".5", "5.", "-0", "0.004", "0.005"],
    "value": ["1000", "333.33", "0.01", "1e2", "x", "", None, "12345678901234.5", "٠٫٥"],
    "expiry": ["2026-12-07", "2025-01-31", "20260101", "2026-02-30", "bad", "", None, "٢٠٢٦-٠١-٠١",
               "2026-10-31", "2026-11-07", "2024-02-29", 20260101],
    "status": ["owner", "veteran", "student", "", None, ["owner"], 3],
    "kinds": [["a"], ["b", "x"], ["x"], [], "a", None, ""],
}  # fmt: skip
DAYS = ["2026-12-07", "2026-03-31", "2027-01-31", "2026-07-30", "2026-07-31", "2026-01-07"]
SCRIPT = """
import { readFileSync } from "node:fs";
import { estimate } from "./fees.js";
const { forms, cases } = JSON.parse(readFileSync("cases.json", "utf-8"));
const byCode = new Map(forms.services.map((s) => [s.code, s]));
console.log(JSON.stringify(cases.map(([code, form, day]) => estimate(byCode.get(code), forms.fee_rules, form, day))));
"""


def _catalogue() -> Any:
    """The Cairo catalogue with a made-up service charging every kind of rule."""
    real = cairo().catalogue
    service = attrs.evolve(real.services["shop_licence_renewal"], code="every_fee", fees=ITEMS)
    return attrs.evolve(
        real,
        services={**real.services, "every_fee": service},
        fee_rules={**real.fee_rules, **{r.code: r for r in RULES}},
    )


def _cases() -> list[tuple[str, dict[str, Any], str]]:
    chooser = random.Random(7)
    cases = []
    for _ in range(600):
        form = {name: chooser.choice(values) for name, values in VALUES.items() if chooser.random() < 0.9}
        cases.append(("every_fee", {k: v for k, v in form.items() if v is not None}, chooser.choice(DAYS)))
    mobile = {
        "occupancy_licence_renewal": {"road_class": ["class_1", "class_2", "class_3", "", "other"],
                                      "occupied_area": ["6", "12.5", "", "0.25", "٤٠"]},
        "advertisement_licence_renewal": {"exemption": ["none", "charity", ""]},
        "shop_licence_renewal": {},
    }  # fmt: skip
    for code, fields in mobile.items():
        for _ in range(20):
            form = {name: chooser.choice(values) for name, values in fields.items()}
            cases.append((code, {k: v for k, v in form.items() if v != ""}, "2026-12-07"))
    return cases


def _python(catalogue: Any, code: str, form: dict[str, Any], day: str) -> dict[str, Any]:
    result = estimate(catalogue.services[code], catalogue, form, as_of=datetime.date.fromisoformat(day))
    return {
        "total": str(result.total),
        "complete": result.complete,
        "fees": [{"rule": fee.rule, "net": str(fee.net)} for fee in result.fees],
        "undetermined": [{"rule": u.rule, "field": u.field, "conditional": u.conditional} for u in result.undetermined],
    }


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js")
def test_the_browser_estimate_agrees_with_localgovs(tmp_path: Path) -> None:
    browser = resources.files("localgov_mobile") / "browser"
    for name in ("fees.js", "forms.js"):
        shutil.copy(browser / name, tmp_path / name)  # type: ignore[arg-type]
    (tmp_path / "package.json").write_text('{"type": "module"}')
    (tmp_path / "check.mjs").write_text(SCRIPT)
    catalogue = _catalogue()
    cases = _cases()
    forms = json.loads(forms_json(catalogue, (*MOBILE, "every_fee")))
    (tmp_path / "cases.json").write_text(json.dumps({"forms": forms, "cases": cases}))
    run = subprocess.run(["node", "check.mjs"], cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False)
    assert run.returncode == 0, run.stderr
    answers = json.loads(run.stdout)
    disagreements = [
        (case, answer, expected)
        for case, answer in zip(cases, answers, strict=True)
        if answer != (expected := _python(catalogue, *case))
    ]
    assert disagreements == []
    # The cases reach what they are for: penalties, exemptions, minimums and undetermined fees.
    totals = {a["total"] for a in answers}
    assert len(totals) > 50
    assert sum(1 for a in answers if not a["complete"]) > 20 and sum(1 for a in answers if a["complete"]) > 20
    nets = {(fee["rule"], fee["net"]) for a in answers for fee in a["fees"]}
    assert ("late_on_expiry", "180.00") in nets  # 120 and a penalty capped at 50%
    assert any(rule == "late_on_expiry" and net not in ("120.00", "180.00") for rule, net in nets)
    # Wholly waived, and half: 16.665 waived rounds up to 16.67, leaving 16.66.
    assert ("exempted", "0.00") in nets and ("exempted", "16.66") in nets
    assert ("per_m2", "10.00") in nets and ("per_m2", "500.00") in nets  # the minimum and the maximum
