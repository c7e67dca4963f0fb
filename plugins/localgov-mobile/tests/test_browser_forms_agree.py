"""The browser client's form check (forms.js, run under Node) against localgov's own
(``validate_form`` and intake's applicant check), on the bundle's services and many values:
the same fields refused, and the same normalised form when none is."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from localgov_mobile.bundle import forms_json
from mobile_harness import cairo

from localgov.requests import InvalidForm
from localgov.requests.forms import validate_form
from localgov.requests.intake import valid_applicant
from localgov.requests.model import Applicant

SERVICES = ("shop_licence_renewal", "occupancy_licence_renewal", "advertisement_licence_renewal")
VALUES: dict[str, list[Any]] = {
    "text": ["ZTN/SH/2020/118", "  a   b  ", "", "x" * 60, "x" * 501, 5, None],
    "address": ["٣ شارع طومان باي", "", " ", "y" * 301],
    "parcel": ["ZTN/12/4", ""],
    "number": ["5", "05", "5.0", "16.50", "-1", "abc", "١٢", 7, "0", "3.", ".5"],
    "area": ["6", "0", "-2", "12.5", "٤٠", "x", 3],
    "money": ["10", "10.5", "10.555", "-3", "0.10"],
    "date": ["2026-12-07", "2026-02-30", "07/12/2026", "٢٠٢٦-١٢-٠٧"],
    "mobile": ["01012345678", "+20 10 1234 5678", "0020 1012345678", "0131234567", "010"],
    "national_id": ["28005170101234", "1234", "38005170101234"],
}
APPLICANTS = [
    ("28005170101234", "محمد أحمد", "01012345678"),
    ("2800517010123", "محمد", "010 1234 5678"),
    ("28005170101234", "  ", "+201112345678"),
    ("28002300101234", "علي", "01512345678"),
    ("٢٨٠٠٥١٧٠١٠١٢٣٤", "محمد   أحمد", "٠١٠١٢٣٤٥٦٧٨"),
]
SCRIPT = """
import { readFileSync } from "node:fs";
import { validateApplicant, validateForm } from "./forms.js";
const { forms, cases, applicants } = JSON.parse(readFileSync("cases.json", "utf-8"));
const byCode = new Map(forms.services.map((s) => [s.code, s]));
const results = cases.map(([code, form]) => {
  const { form: normalised, problems } = validateForm(byCode.get(code), form);
  return { normalised, problems: Object.keys(problems).sort() };
});
const people = applicants.map(([nationalId, name, mobile]) => {
  const { applicant, problems } = validateApplicant({ national_id: nationalId, name, mobile });
  return { applicant, problems: Object.keys(problems).sort() };
});
console.log(JSON.stringify({ results, people }));
"""


def _cases() -> list[tuple[str, dict[str, Any]]]:
    catalogue = cairo().catalogue
    chooser = random.Random(12)
    cases = []
    for code in SERVICES:
        service = catalogue.services[code]
        for _ in range(100):
            form: dict[str, Any] = {}
            for field in service.fields:
                if field.choices:
                    options: list[Any] = [c.value for c in field.choices] + ["nonsense", ""]
                    if field.type.value == "multi_choice":
                        options = [[field.choices[0].value], [], ["nonsense"]]
                else:
                    options = VALUES.get(field.type.value, ["text"])
                if chooser.random() < 0.97:  # a valid value most of the time, so that some forms pass
                    form[field.name] = options[0] if chooser.random() < 0.8 else chooser.choice(options)
            if chooser.random() < 0.05:
                form["colour"] = "blue"
            cases.append((code, form))
    return cases


def _python(code: str, form: dict[str, Any]) -> dict[str, Any]:
    try:
        return {"normalised": validate_form(cairo().catalogue.services[code], form), "problems": []}
    except InvalidForm as error:
        return {"normalised": None, "problems": sorted(error.problems)}


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js")
def test_the_browser_check_agrees_with_localgovs(tmp_path: Path) -> None:
    shutil.copy(resources.files("localgov_mobile") / "browser" / "forms.js", tmp_path / "forms.js")  # type: ignore[arg-type]
    (tmp_path / "package.json").write_text('{"type": "module"}')
    (tmp_path / "check.mjs").write_text(SCRIPT)
    cases = _cases()
    forms = json.loads(forms_json(cairo().catalogue, SERVICES))
    (tmp_path / "cases.json").write_text(json.dumps({"forms": forms, "cases": cases, "applicants": APPLICANTS}))
    run = subprocess.run(["node", "check.mjs"], cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False)
    assert run.returncode == 0, run.stderr
    answers = json.loads(run.stdout)
    disagreements = []
    for (code, form), browser in zip(cases, answers["results"], strict=True):
        server = _python(code, form)
        if browser["problems"] != server["problems"] or (
            not server["problems"] and browser["normalised"] != server["normalised"]
        ):
            disagreements.append((code, form, browser, server))
    assert disagreements == []
    assert sum(1 for a in answers["results"] if not a["problems"]) > 10  # some forms do pass
    for (national_id, name, mobile), browser in zip(APPLICANTS, answers["people"], strict=True):
        try:
            checked = valid_applicant(Applicant(national_id, name, mobile))
            assert browser["problems"] == [] and browser["applicant"] == {
                "national_id": checked.national_id,
                "name": checked.name,
                "mobile": checked.mobile,
            }
        except InvalidForm as error:
            assert browser["problems"] == sorted(error.problems), (national_id, name, mobile)
