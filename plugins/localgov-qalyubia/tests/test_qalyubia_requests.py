"""A building permit runs end to end in a village local unit of Qalyubia, on SQLite and PostgreSQL.

One request is taken at the village unit's counter, one at the village's post office (the Egypt
Post plugin: originals by registered mail, the fee in cash at the counter). Both are decided by
the village unit's staff with Qalyubia's fees; a Cairo request in the same deployment keeps Cairo's.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from pathlib import Path

import pytest

from localgov.app import Localgov
from localgov.calendar import egypt_calendar
from localgov.clock import EGYPT
from localgov.demo import _pdf
from localgov.demo.qalyubia import QALYUBIA_SETTINGS, village_staff
from localgov.documents import DocumentFactory, PdfSigner, verify_pdf
from localgov.identity import compose_national_id
from localgov.mail import S10Identifier
from localgov.organisation import StaffMember
from localgov.pki import create_root, issue_governorate_ca, issue_trust_list_signer, issue_unit_signer
from localgov.requests import DocumentUpload, Engine, GuardFailed, InvalidSubmission
from localgov.requests.model import Applicant, Request
from localgov.tokens import TrustList

egypt_post = pytest.importorskip("localgov_egypt_post")

NOW = datetime.datetime(2026, 12, 7, 10, 0, tzinfo=EGYPT)
STAFF = {member.id: member for member in village_staff()}
ZEITOUN = [
    StaffMember(f"zt-{role}", role, "zeitoun", {role})
    for role in ("front_desk_clerk", "document_checker", "engineer", "field_inspector", "fee_assessor")
]
APPLICANT = Applicant(compose_national_id(datetime.date(1975, 8, 2), "14", 3121), "السيد محمود", "01123456789")
FORM = {
    "applicant_capacity": "owner",
    "parcel_reference": "KGZ/3/21",
    "site_address": "كفر الجزار، مركز بنها",
    "floors": "3",
    "height_m": "9",
    "built_area": "150",
    "building_use": "residential",
    "estimated_cost": "900000",
}
DOCUMENTS = (
    "national_id_copy",
    "ownership_proof",
    "site_validity_statement",
    "engineering_drawings",
    "supervising_engineer_undertaking",
)


def uploads() -> list[DocumentUpload]:
    return [DocumentUpload(kind, _pdf(kind), "pdf", f"{kind}.pdf") for kind in DOCUMENTS]


@pytest.fixture(scope="module")
def app() -> Localgov:
    return Localgov(plugins=["cairo", "qalyubia", "egypt_post"], settings=QALYUBIA_SETTINGS)


@pytest.fixture
def engine(app: Localgov, localgov_database_url: str) -> Iterator[Engine]:
    engine = app.engine(localgov_database_url, staff=[*STAFF.values(), *ZEITOUN], clock=lambda: NOW)
    yield engine
    engine.store.close()  # type: ignore[attr-defined]


def through_assessment(engine: Engine, request: Request) -> Request:
    for action, who in (
        ("accept_documents", "kg-docs-reda"),
        ("complete_review", "kg-eng-walid"),
        ("record_inspection", "kg-insp-marwa"),
        ("assess_fees", "kg-fees-samir"),
    ):
        request = engine.act(request.id, action, STAFF[who])
    assert request.state == "awaiting_payment"
    return request


def approve_and_issue(engine: Engine, request: Request) -> Request:
    assert request.state == "approval"
    engine.act(request.id, "approve", STAFF["kg-head-fathy"])
    issued = engine.act(request.id, "issue", STAFF["kg-issue-heba"])
    assert issued.state == "issued" and issued.issued is not None
    return issued


def test_a_request_runs_end_to_end_in_a_village_local_unit(app: Localgov, engine: Engine, tmp_path: Path) -> None:
    request = engine.submit(
        "building_permit",
        unit="kafr_el_gazzar",
        governorate="KB",
        channel="front_desk",
        service_point="kafr_el_gazzar_tc",
        actor=STAFF["kg-clerk-amal"],
        applicant=APPLICANT,
        form=FORM,
        documents=uploads(),
    )
    assert (request.governorate, request.unit, request.id[:5]) == ("KB", "kafr_el_gazzar", "KBKGZ")
    assessed = through_assessment(engine, request)
    assert assessed.invoice is not None
    # Qalyubia's fee rules, booked to its own revenue items, not the national ones.
    assert {line.revenue_item for line in assessed.invoice.lines} == {
        "qalyubia_tc_engineering_service",
        "qalyubia_building_permit",
        "qalyubia_building_review",
    }
    paid = engine.record_payment(
        request.id, amount=assessed.invoice.total, provider="counter", reference=f"{request.id}-1"
    )
    issued = approve_and_issue(engine, paid)
    assert issued.issued is not None and "KGZ" in issued.issued.number
    assert engine.verify_history(request.id) == []

    # The signed permit PDF, under Qalyubia's CA, with the village under its markaz in the header.
    root = create_root("test root", now=NOW - datetime.timedelta(days=1))
    ca = issue_governorate_ca(root, "KB", "test Qalyubia CA", now=NOW - datetime.timedelta(days=1))
    signer = issue_unit_signer(ca, "KB-KGZ", ["building_permit"], now=NOW - datetime.timedelta(days=1))
    lists = issue_trust_list_signer(root, "test lists", now=NOW - datetime.timedelta(days=1))
    trust = TrustList.build(
        [signer.certificate], sequence=1, issued_at=NOW, root=root.certificate, intermediates=[ca.certificate]
    ).sign(lists, root.certificate)
    factory = DocumentFactory(app, signer=PdfSigner(signer, (ca.certificate, root.certificate)))
    permit = factory.issue_permit(issued, issued_at=NOW)
    path = tmp_path / "permit.pdf"
    path.write_bytes(permit.pdf)
    verdict = verify_pdf(
        path,
        TrustList.load(trust, root.certificate, at=NOW),
        root=root.certificate,
        at=NOW + datetime.timedelta(minutes=5),
    )
    assert verdict.valid, verdict.codes
    assert "KB-KGZ" in permit.claims.issuer
    qalyubia = app.organisation["KB"]
    branding = app.plugins.hook.document_branding(governorate=qalyubia, unit=qalyubia.units["kafr_el_gazzar"])
    assert [line.en for line in branding.header] == [
        "Arab Republic of Egypt",
        "Qalyubia Governorate",
        "Banha markaz",
        "Kafr El Gazzar village local unit",
    ]


def test_a_request_taken_at_the_village_post_office(engine: Engine) -> None:
    clerk = STAFF["kg-post-hassan"]
    request = engine.submit(
        "building_permit",
        unit="kafr_el_gazzar",
        governorate="KB",
        channel="post_office",
        service_point="kafr_el_gazzar_post",
        actor=clerk,
        applicant=APPLICANT,
        form=FORM,
        documents=uploads(),
    )
    assert (request.channel, request.service_point) == ("post_office", "kafr_el_gazzar_post")
    item = str(S10Identifier.of("RR", 40_000_002))
    engine.record_originals(request.id, item=item, status="sent", actor=clerk)
    with pytest.raises(GuardFailed, match=item):
        engine.act(request.id, "accept_documents", STAFF["kg-docs-reda"])
    engine.record_originals(request.id, item=item, status="arrived", actor=STAFF["kg-docs-reda"])
    assessed = through_assessment(engine, request)

    counter = egypt_post.CounterSimulator(clock=lambda: NOW)
    from localgov.payments import Payments

    payments = Payments(engine, [counter.provider()])
    created = payments.start(assessed.id, "egypt_post")
    delivered = counter.collect(created.provider_ref, office="kafr_el_gazzar_post", clerk=clerk.id)
    assert payments.handle_notification("egypt_post", delivered.body, delivered.headers)[0] == 200
    paid = engine.get(request.id)
    assert [(p.provider, p.reference) for p in paid.payments] == [("egypt_post", created.provider_ref)]
    approve_and_issue(engine, paid)
    assert engine.verify_history(request.id) == []


def test_cairo_keeps_its_own_building_permit_beside_qalyubia(engine: Engine) -> None:
    clerk, checker, engineer, inspector, assessor = ZEITOUN
    with pytest.raises(InvalidSubmission, match="post_office"):
        # Cairo lists no post office for the building permit: Qalyubia's channels are Qalyubia's.
        engine.submit(
            "building_permit",
            unit="zeitoun",
            channel="post_office",
            actor=clerk,
            applicant=APPLICANT,
            form=FORM,
            documents=uploads(),
        )
    request = engine.submit(
        "building_permit",
        unit="zeitoun",
        channel="front_desk",
        service_point="zeitoun_tc",
        actor=clerk,
        applicant=APPLICANT,
        form=FORM,
        documents=uploads(),
    )
    for action, who in (
        ("accept_documents", checker),
        ("complete_review", engineer),
        ("record_inspection", inspector),
        ("assess_fees", assessor),
    ):
        request = engine.act(request.id, action, who)
    assert request.invoice is not None
    assert {line.revenue_item for line in request.invoice.lines} == {
        "cairo_tc_engineering_service",
        "cairo_building_permit",
        "cairo_building_review",
    }


def test_an_overridden_time_limit_and_document_list_are_what_the_engine_applies(tmp_path: Path) -> None:
    # A governorate's own time limit and documents for the site validity statement, beside Cairo's
    # override of its fee: each request gets its own governorate's figures, in one deployment.
    extra = tmp_path / "kb-statement.toml"
    extra.write_text(
        "[[overrides]]\n"
        'governorate = "KB"\n'
        'service = "site_validity_statement"\n'
        "time_limit_days = 30\n"
        'documents = [{ type = "national_id_copy" }, { type = "ownership_proof" }]\n',
        encoding="utf-8",
    )
    app = Localgov(plugins=["cairo", "qalyubia"], catalogue=[extra])
    engine = app.engine("sqlite://", staff=[*STAFF.values(), *ZEITOUN], clock=lambda: NOW)
    form = {"parcel_reference": "P/1", "site_address": "عنوان", "site_area": "200", "intended_use": "residential"}
    two = [DocumentUpload(kind, _pdf(kind), "pdf", f"{kind}.pdf") for kind in ("national_id_copy", "ownership_proof")]
    village = engine.submit(
        "site_validity_statement",
        unit="kafr_el_gazzar",
        governorate="KB",
        channel="front_desk",
        service_point="kafr_el_gazzar_tc",
        actor=STAFF["kg-clerk-amal"],
        applicant=APPLICANT,
        form=form,
        documents=two,
    )
    district = engine.submit(
        "site_validity_statement",
        unit="zeitoun",
        channel="front_desk",
        service_point="zeitoun_tc",
        actor=ZEITOUN[0],
        applicant=APPLICANT,
        form=form,
        documents=two,
    )
    calendar, today = egypt_calendar(), NOW.date()  # the engine's calendar by default
    # 30 working days in Qalyubia, against the national 20 (Decision 943/2024) Cairo keeps.
    assert village.due_date == calendar.add_working_days(today, 30)
    assert district.due_date == calendar.add_working_days(today, 20)
    # Qalyubia asks for two documents; Cairo keeps the national list, which also needs a site sketch.
    assert engine.act(village.id, "accept_documents", STAFF["kg-docs-reda"]).state == "technical_review"
    with pytest.raises(GuardFailed):
        engine.act(district.id, "accept_documents", ZEITOUN[1])
    engine.store.close()  # type: ignore[attr-defined]


def test_a_service_of_cairo_s_own_is_not_taken_in_qalyubia(engine: Engine) -> None:
    """Cairo's shop licence is Cairo's (its facts, its fees): a Qalyubia village cannot take it."""
    with pytest.raises(InvalidSubmission, match="shop_licence is not offered in governorate 'KB'.*C only"):
        engine.submit(
            "shop_licence",
            unit="kafr_el_gazzar",
            governorate="KB",
            channel="front_desk",
            service_point="kafr_el_gazzar_tc",
            actor=STAFF["kg-clerk-amal"],
            applicant=APPLICANT,
            form={},
            documents=[],
        )
