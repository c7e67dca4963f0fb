"""Each built-in workflow, and Cairo's burial allocation, driven to each of its final states."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Any

import pytest
import transitions

from localgov.requests import DocumentUpload, Engine
from localgov.requests.errors import ActionNotAllowed
from localgov.requests.model import Citizen, Request
from localgov.requests.workflow import CompiledWorkflow
from tests.requests.support import (
    ALLOCATOR,
    APPLICANT,
    APPLICANT_ID,
    APPROVER,
    ASSESSOR,
    CHECKER,
    CHECKER2,
    CLERK,
    ENGINEER,
    INSPECTOR,
    ISSUER,
    PDF,
    STAFF,
    cairo,
    cairo_time,
    submit_building_permit,
)

PAY = "pay"  # a step that is a confirmed payment, not an employee's action


def checker_for(request: Request) -> Any:
    return CHECKER2 if request.assigned_to == CHECKER2.id else CHECKER


def submit(engine: Engine, service: str) -> Request:
    if service == "building_permit":
        return submit_building_permit(engine, at=cairo_time(2026, 2, 2))
    forms: dict[str, tuple[dict[str, Any], list[str]]] = {
        "advertisement_licence_renewal": (
            {
                "licence_number": "ADV-2023-0091",
                "sign_location": "own_property",
                "exemption": "none",
                "sign_area": "6.5",
                "sign_address": "شارع طومان باي، الزيتون",
            },
            ["previous_licence", "national_id_copy", "advertisement_design"],
        ),
        "rent_debt_payment": (
            {"payment_kind": "rent", "account_reference": "R-2211/ZTN", "amount_due": "1250.50"},
            [],
        ),
        "burial_plot_allocation": (
            {
                "applicant_address": "١٢ شارع طومان باي",
                "request_reason": "future_family_use",
                "plot_type": "family_plot",
            },
            ["national_id_copy"],
        ),
    }
    form, documents = forms[service]
    return engine.submit(
        service,
        unit="zeitoun",
        channel="front_desk",
        service_point="zeitoun_tc",
        actor=CLERK,
        applicant=APPLICANT,
        form=form,
        documents=[DocumentUpload(t, PDF, "pdf") for t in documents],
        at=cairo_time(2026, 2, 2),
    )


ROUTES: dict[tuple[str, str], list[tuple[str, Any, str | None]]] = {
    ("building_permit", "issued"): [
        ("accept_documents", checker_for, None),
        ("complete_review", ENGINEER, None),
        ("record_inspection", INSPECTOR, None),
        ("assess_fees", ASSESSOR, None),
        (PAY, None, None),
        ("approve", APPROVER, None),
        ("issue", ISSUER, None),
    ],
    ("building_permit", "rejected"): [
        ("accept_documents", checker_for, None),
        ("complete_review", ENGINEER, None),
        ("record_inspection", INSPECTOR, None),
        ("assess_fees", ASSESSOR, None),
        (PAY, None, None),
        ("reject", APPROVER, "المبنى يتجاوز الارتفاع المسموح"),
    ],
    ("building_permit", "withdrawn"): [("withdraw", Citizen(APPLICANT_ID), "عدلت عن الطلب")],
    ("advertisement_licence_renewal", "issued"): [
        ("accept_documents", checker_for, None),
        ("assess_fees", ASSESSOR, None),
        (PAY, None, None),
        ("approve_and_issue", APPROVER, None),
    ],
    ("advertisement_licence_renewal", "rejected"): [
        ("accept_documents", checker_for, None),
        ("assess_fees", ASSESSOR, None),
        (PAY, None, None),
        ("reject", APPROVER, "الإعلان مخالف للاشتراطات"),
    ],
    ("advertisement_licence_renewal", "withdrawn"): [
        ("accept_documents", checker_for, None),
        ("withdraw", CLERK, None),
    ],
    ("rent_debt_payment", "paid"): [("assess_fees", ASSESSOR, None), (PAY, None, None)],
    ("rent_debt_payment", "rejected"): [("reject", ASSESSOR, "لا توجد مديونية بهذا الرقم")],
    ("rent_debt_payment", "withdrawn"): [
        ("assess_fees", ASSESSOR, None),
        ("withdraw", CLERK, None),
    ],
    ("burial_plot_allocation", "allocated"): [
        ("accept_request", checker_for, None),
        ("allocate_plot", ALLOCATOR, None),
        ("assess_fees", ASSESSOR, None),
        (PAY, None, None),
        ("approve_allocation", APPROVER, None),
    ],
    ("burial_plot_allocation", "rejected"): [
        ("accept_request", checker_for, None),
        ("allocate_plot", ALLOCATOR, None),
        ("assess_fees", ASSESSOR, None),
        (PAY, None, None),
        ("reject", APPROVER, "لا توجد مدافن شاغرة"),
    ],
    ("burial_plot_allocation", "withdrawn"): [
        ("accept_request", checker_for, None),
        ("withdraw", Citizen(APPLICANT_ID), None),
    ],
}


def drive(engine: Engine, request: Request, route: list[tuple[str, Any, str | None]]) -> Request:
    for step, (action, actor, comment) in enumerate(route):
        if action == PAY:
            request = engine.record_payment(
                request.id,
                amount=request.balance_due(),
                provider="efinance",
                reference=f"E-{step}",
                at=cairo_time(2026, 2, 3),
            )
            assert request.balance_due() <= 0
            continue
        who = actor(request) if callable(actor) and not hasattr(actor, "roles") else actor
        # Back-office cases are assigned: the step is taken by the assignee when they hold the role.
        who = next((m for m in STAFF if m.id == request.assigned_to and m.roles & who.roles), who)
        assert action in {a.code for a in engine.allowed_actions(request, who)}
        request = engine.act(request.id, action, who, comment=comment, at=cairo_time(2026, 2, 3))
    return request


@pytest.mark.parametrize(("service", "final"), list(ROUTES), ids=[f"{s}->{f}" for s, f in ROUTES])
def test_every_final_state_can_be_reached(engine: Engine, service: str, final: str) -> None:
    request = drive(engine, submit(engine, service), ROUTES[service, final])
    assert request.state == final and request.closed and request.assigned_to is None
    assert engine.workflow_of(request).definition.state(final).final  # type: ignore[union-attr]
    assert engine.allowed_actions(request) == []
    assert engine.verify_history(request.id) == []
    if final == "rejected":
        assert request.reason == ROUTES[service, final][-1][2]


def test_every_final_state_of_every_workflow_is_covered(engine: Engine) -> None:
    covered = {(engine.catalogue.service(s).workflow, f) for s, f in ROUTES}
    for code in ("permit", "renewal", "payment", "burial_allocation"):
        finals = {s.code for s in engine.workflows[code].definition.states if s.final}
        assert {(code, f) for f in finals} <= covered


def test_a_renewal_is_issued_with_its_validity(engine: Engine) -> None:
    request = drive(
        engine,
        submit(engine, "advertisement_licence_renewal"),
        ROUTES["advertisement_licence_renewal", "issued"],
    )
    assert request.issued is not None
    assert re.fullmatch(r"2026/ZTN/\d{6}", request.issued.number)
    # Issued on 3 February 2026, valid three years: to 2 February 2029.
    assert (request.issued.issued_on, request.issued.expires_on) == (
        datetime.date(2026, 2, 3),
        datetime.date(2029, 2, 2),
    )


def test_a_payment_is_receipted_for_the_amount_owed(engine: Engine) -> None:
    request = submit(engine, "rent_debt_payment")
    request = engine.act(request.id, "assess_fees", ASSESSOR, at=cairo_time(2026, 2, 3))
    assert request.invoice is not None and request.invoice.total == Decimal("1250.50")
    request = drive(engine, request, [(PAY, None, None)])
    assert request.state == "paid" and request.issued is not None


def test_issued_numbers_follow_each_other(engine: Engine) -> None:
    numbers = [
        drive(engine, submit(engine, "building_permit"), ROUTES["building_permit", "issued"]).issued.number
        for _ in range(2)
    ]  # type: ignore[union-attr]
    assert [int(n.rsplit("/", 1)[1]) for n in numbers] == [1, 2]


def test_a_burial_plot_is_allocated_only_once_paid(engine: Engine) -> None:
    request = submit(engine, "burial_plot_allocation")
    for action, actor in [
        ("accept_request", checker_for(request)),
        ("allocate_plot", ALLOCATOR),
        ("assess_fees", ASSESSOR),
    ]:
        request = engine.act(request.id, action, actor, at=cairo_time(2026, 2, 3))
    assert request.invoice is not None and request.balance_due() > 0


def test_one_machine_per_workflow_definition(monkeypatch: pytest.MonkeyPatch, engine: Engine) -> None:
    assert set(engine.workflows) >= {"permit", "renewal", "payment", "burial_allocation"}
    built: list[object] = []
    original = transitions.Machine.__init__

    def counting(self: Any, *args: Any, **kwargs: Any) -> None:
        built.append(self)
        original(self, *args, **kwargs)

    monkeypatch.setattr(transitions.Machine, "__init__", counting)
    machines = {code: w.machine for code, w in engine.workflows.items()}
    for _ in range(3):
        drive(engine, submit(engine, "building_permit"), ROUTES["building_permit", "issued"])
    drive(engine, submit(engine, "rent_debt_payment"), ROUTES["rent_debt_payment", "paid"])
    assert built == []  # driving requests builds no machine
    assert {code: w.machine for code, w in engine.workflows.items()} == machines
    assert all(not machine.models for machine in machines.values())  # and registers no request on one
    # Each definition compiles into exactly one machine.
    fresh = cairo().engine("sqlite://")
    assert len(built) == len(fresh.workflows) == len(cairo().catalogue.workflows)
    fresh.store.close()  # type: ignore[attr-defined]


@pytest.mark.parametrize("code", ["permit", "renewal", "payment", "burial_allocation"])
def test_the_diagram_lists_every_state_and_action(code: str) -> None:
    workflow = CompiledWorkflow(cairo().catalogue.workflows[code])
    diagram = workflow.mermaid
    assert diagram.startswith("stateDiagram-v2\n")
    assert f"[*] --> {workflow.definition.initial}" in diagram
    for state in workflow.definition.states:
        assert re.search(
            rf"^\s+{state.code}: {re.escape(state.name.en)} / {re.escape(state.name.ar)}$",
            diagram,
            re.MULTILINE,
        )
        if state.final:
            assert f"{state.code} --> [*]" in diagram
    for action in workflow.definition.actions:
        assert re.search(rf"--> \w+: {action.code}$", diagram, re.MULTILINE), action.code
    # The send-back round trip is drawn back to each state that can send a request there.
    if code == "permit":
        for state in ("document_check", "technical_review", "field_inspection"):
            assert f"awaiting_applicant --> {state}: resubmit" in diagram


@pytest.mark.parametrize("code", ["permit", "renewal", "payment", "burial_allocation"])
def test_the_machine_and_the_definition_agree(code: str) -> None:
    workflow = CompiledWorkflow(cairo().catalogue.workflows[code])
    for action in workflow.definition.actions:
        for state in workflow.definition.states:
            allowed = action in workflow.allowed_actions(state.code)
            assert allowed == (state.code in action.sources), (action.code, state.code)


@pytest.mark.parametrize("code", ["permit", "renewal", "payment", "burial_allocation"])
def test_a_kept_move_is_the_one_the_machine_makes(code: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each move is decided by the machine once and kept; refusals are never kept."""
    definition = cairo().catalogue.workflows[code]
    workflow, fresh = CompiledWorkflow(definition), CompiledWorkflow(definition)
    returns: list[str | None] = [None, *(s.code for s in definition.states)]
    cases = [(s.code, a.code, r) for s in definition.states for a in definition.actions for r in returns]

    def outcome(compiled: CompiledWorkflow, case: tuple[str, str, str | None]) -> str:
        try:
            return compiled.fire(*case)
        except ActionNotAllowed as refused:
            return f"refused: {refused}"

    first = [outcome(workflow, case) for case in cases]
    assert any(not o.startswith("refused") for o in first) and any(o.startswith("refused") for o in first)
    fired: list[object] = []
    original = transitions.Event.trigger
    monkeypatch.setattr(transitions.Event, "trigger", lambda self, model: fired.append(model) or original(self, model))
    again = [outcome(workflow, case) for case in cases]
    assert again == first
    # The second time only refusals went to the machine again.
    assert len(fired) == sum(o.startswith("refused") for o in first)
    # And a fresh machine, fired in reverse order, agrees on every case.
    assert [outcome(fresh, case) for case in reversed(cases)] == list(reversed(first))
