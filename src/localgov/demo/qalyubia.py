"""``localgov demo --governorate qalyubia``: two building permits in a village of a regional governorate.

Cairo's demo (:mod:`localgov.demo`) runs in a district of a city governorate. This one runs in
Kafr El Gazzar, a village local unit of Banha markaz, Qalyubia: the building permit is the
national definition of the core catalogue as Qalyubia overrides it (its own fee rules, and the
post office among its channels). One request is taken at the village unit's one window, the other
by the clerk of the village's post office, with the paper originals sent to the unit by registered
mail and the fee paid in cash at the counter (the Egypt Post plugin's simulator). Both are
decided by the village unit's staff, issued as signed permit PDFs, and the history is verified.
"""

from __future__ import annotations

import datetime
import os
import secrets
from collections.abc import Callable
from pathlib import Path

from cryptography import x509

from localgov.app import Localgov
from localgov.demo import START, DemoResult, _pay, _pdf
from localgov.demo.narration import Scenario
from localgov.documents import DocumentFactory, PdfSigner, PdfVerdict, verify_pdf
from localgov.i18n import LocalizedText
from localgov.identity import compose_national_id
from localgov.mail import S10Identifier
from localgov.organisation import StaffMember
from localgov.pki import (
    create_root,
    issue_governorate_ca,
    issue_trust_list_signer,
    issue_unit_signer,
    save_certificate,
)
from localgov.requests import DocumentUpload, Engine
from localgov.requests.errors import RequestError
from localgov.requests.model import Applicant, Request
from localgov.tokens import TrustList

__all__ = ["QALYUBIA_SETTINGS", "VILLAGE", "run_qalyubia_demo", "village_staff"]

VILLAGE = "kafr_el_gazzar"
FRONT_DESK = "kafr_el_gazzar_tc"
POST_OFFICE = "kafr_el_gazzar_post"
# The Egypt Post plugin registers its (placeholder) list of Qalyubia's village post offices only
# when asked.
QALYUBIA_SETTINGS = {"egypt_post": {"governorates": "KB"}}

_DOCUMENTS = ("national_id_copy", "ownership_proof", "site_validity_statement", "engineering_drawings")


def village_staff() -> list[StaffMember]:
    """Kafr El Gazzar village local unit: one person per role, and the post office's clerk."""
    unit = VILLAGE
    return [
        StaffMember("kg-clerk-amal", "أمل سعيد", unit, {"front_desk_clerk"}),
        StaffMember("kg-post-hassan", "حسن عبد العزيز", unit, {"post_clerk"}),
        StaffMember("kg-docs-reda", "رضا منصور", unit, {"document_checker"}),
        StaffMember("kg-eng-walid", "م. وليد شحاتة", unit, {"engineer"}),
        StaffMember("kg-insp-marwa", "م. مروة عادل", unit, {"field_inspector"}),
        StaffMember("kg-fees-samir", "سمير توفيق", unit, {"fee_assessor"}),
        StaffMember("kg-head-fathy", "فتحي الشربيني", unit, {"approver"}),
        StaffMember("kg-issue-heba", "هبة جمال", unit, {"issuer"}),
    ]


def _form(parcel: str, address: str) -> dict[str, str]:
    return {
        "applicant_capacity": "owner",
        "parcel_reference": parcel,
        "site_address": address,
        "floors": "3",
        "height_m": "9.5",
        "built_area": "150",
        "building_use": "residential",
        "estimated_cost": "900000",
    }


def run_qalyubia_demo(output: Path, *, echo: Callable[[str], None] = print) -> DemoResult:
    output.mkdir(parents=True, exist_ok=True)
    database = output / "localgov.db"
    for stale in (database, output / "localgov.db-wal", output / "localgov.db-shm"):
        stale.unlink(missing_ok=True)
    key_file = output / "audit.key"
    if not key_file.exists():
        key_file.write_bytes(secrets.token_hex(32).encode())
        os.chmod(key_file, 0o600)

    app = Localgov(settings=QALYUBIA_SETTINGS)
    qalyubia = app.organisation.get("KB")
    if qalyubia is None or POST_OFFICE not in qalyubia.service_points:
        raise RequestError(
            "the Qalyubia demo needs the localgov-qalyubia and localgov-egypt-post plugins "
            "(pip install -e plugins/localgov-qalyubia -e plugins/localgov-egypt-post)"
        )
    staff = {member.id: member for member in village_staff()}
    moments = [START]
    engine = app.engine(
        f"sqlite:///{database}",
        staff=staff.values(),
        audit_key=key_file.read_bytes().strip(),
        clock=lambda: moments[-1],
    )
    documents = DocumentFactory(app, signer=_village_signer(output, now=START - datetime.timedelta(days=30)))

    scenario = Scenario(engine, echo, moments)
    step, show, at = scenario.step, scenario.show, scenario.at

    lineage = qalyubia.lineage(VILLAGE)
    echo(f"localgov — {qalyubia.name.ar} / {qalyubia.name.en} ({qalyubia.kind.value})")
    echo("  " + " ← ".join(f"{unit.name.ar} / {unit.name.en} [{unit.kind.value}]" for unit in lineage))
    echo(f"database: {database}")
    national, own = app.catalogue.service("building_permit"), app.catalogue.service("building_permit", "KB")
    echo(
        "  رخصة البناء: التعريف القومي مع ما تغيّره القليوبية / the building permit: the national definition, "
        f"with Qalyubia's channels {', '.join(own.channels)} (national: {', '.join(national.channels)}) "
        f"and fee rules {', '.join(fee.rule for fee in own.fees)}"
    )

    step(
        LocalizedText(
            "مواطن يتقدم بطلب رخصة بناء في مكتب خدمة المواطنين بالوحدة المحلية لقرية كفر الجزار",
            "A citizen applies for a building permit at Kafr El Gazzar village local unit's service desk",
        )
    )
    first = engine.submit(
        "building_permit",
        unit=VILLAGE,
        governorate="KB",
        channel="front_desk",
        service_point=FRONT_DESK,
        actor=staff["kg-clerk-amal"],
        applicant=Applicant(
            compose_national_id(datetime.date(1975, 8, 2), "14", 3121), "السيد محمود عبد الفتاح", "011 2345 6789"
        ),
        form=_form("حوض ٣ قطعة ٢١ — KGZ/3/21", "شارع المدرسة، كفر الجزار، مركز بنها، القليوبية"),
        documents=[DocumentUpload(kind, _pdf(kind), "pdf", f"{kind}.pdf") for kind in _DOCUMENTS]
        + [DocumentUpload("supervising_engineer_undertaking", _pdf("undertaking"), "pdf", "undertaking.pdf")],
        idempotency_key="demo-kafr-el-gazzar-0001",
        at=at(),
    )
    echo(f"  رقم المتابعة / tracking number: {first.id}   الموعد المتوقع / expected by: {first.due_date.isoformat()}")
    (output / "receipt.pdf").write_bytes(documents.receipt(first))
    echo(f"  نموذج استلام الخدمة / receipt form: {output / 'receipt.pdf'}")
    show(first)
    first = _decide(app, engine, first, staff, scenario)
    permit = _issue(documents, first, output / "permit.pdf", moments[-1], echo)

    step(
        LocalizedText(
            "مواطن آخر يتقدم بطلب رخصة بناء في مكتب بريد كفر الجزار؛ الموظف يرسل الأصول بالبريد المسجل",
            "Another citizen applies at Kafr El Gazzar post office; the clerk sends the originals by registered mail",
        )
    )
    second = engine.submit(
        "building_permit",
        unit=VILLAGE,
        governorate="KB",
        channel="post_office",
        service_point=POST_OFFICE,
        actor=staff["kg-post-hassan"],
        applicant=Applicant(
            compose_national_id(datetime.date(1983, 1, 19), "14", 2457), "منى إبراهيم الدسوقي", "012 3456 7890"
        ),
        form=_form("حوض ٥ قطعة ٧ — KGZ/5/7", "طريق بنها الزراعي، كفر الجزار، مركز بنها، القليوبية"),
        documents=[DocumentUpload(kind, _pdf(kind), "pdf", f"{kind}.pdf") for kind in _DOCUMENTS]
        + [DocumentUpload("supervising_engineer_undertaking", _pdf("undertaking"), "pdf", "undertaking.pdf")],
        idempotency_key="demo-kafr-el-gazzar-post-0001",
        at=at(),
    )
    echo(f"  رقم المتابعة / tracking number: {second.id}   القناة / channel: {second.channel} ({second.service_point})")
    item = str(S10Identifier.of("RR", 40_000_001))
    engine.record_originals(second.id, item=item, status="sent", actor=staff["kg-post-hassan"], at=at())
    echo(f"  الأصول بالبريد المسجل / originals by registered mail: {item}")
    engine.record_originals(second.id, item=item, status="arrived", actor=staff["kg-docs-reda"], at=at(days=1))
    echo("  وصلت الأصول إلى الوحدة المحلية / the originals reached the village unit")
    second = _decide(app, engine, engine.get(second.id), staff, scenario)
    _issue(documents, second, output / "permit-post-office.pdf", moments[-1], echo)

    step(LocalizedText("التحقق من سلسلة السجل", "Verifying the hash-chained history"))
    findings = engine.audit()
    events = len(engine.history(first.id)) + len(engine.history(second.id))
    echo(f"  {events} events; " + ("history verifies ✓ / السجل سليم" if not findings else f"FINDINGS: {findings}"))
    if not permit.valid:
        findings = {**findings, first.id: [f"permit PDF: {permit.codes}"]}
    return DemoResult(request=first, database=database, findings=findings)


def _decide(
    app: Localgov, engine: Engine, request: Request, staff: dict[str, StaffMember], scenario: Scenario
) -> Request:
    """The village unit's back office: documents, review, inspection, fees, payment, approval, issue."""
    step, show, echo, at = scenario.step, scenario.show, scenario.echo, scenario.at
    for action, who, text in (
        ("accept_documents", "kg-docs-reda", LocalizedText("قبول المستندات", "Documents accepted")),
        ("complete_review", "kg-eng-walid", LocalizedText("المراجعة الفنية", "Technical review completed")),
        ("record_inspection", "kg-insp-marwa", LocalizedText("المعاينة الميدانية", "Field inspection recorded")),
        ("assess_fees", "kg-fees-samir", LocalizedText("تقدير الرسوم", "Fees assessed")),
    ):
        request = scenario.decide(request, action, staff[who], text)
    scenario.show_invoice(request)
    step(
        LocalizedText("السداد", "Payment")
        if request.channel != "post_office"
        else LocalizedText("السداد نقدًا في شباك مكتب البريد", "Payment in cash at the post-office counter")
    )
    at()
    request = _pay(app, engine, request, echo)
    show(request)
    for action, who, text in (
        (
            "approve",
            "kg-head-fathy",
            LocalizedText("رئيس الوحدة المحلية يعتمد", "The head of the village unit approves"),
        ),
        ("issue", "kg-issue-heba", LocalizedText("إصدار الرخصة", "The permit is issued")),
    ):
        request = scenario.decide(request, action, staff[who], text)
    assert request.issued is not None
    echo(f"  رقم الرخصة / permit number: {request.issued.number}")
    return request


def _issue(
    documents: DocumentFactory,
    request: Request,
    target: Path,
    issued_at: datetime.datetime,
    echo: Callable[[str], None],
) -> PdfVerdict:
    """Sign the permit PDF and check it as a ministry would, against the published trust list."""
    issued = documents.issue_permit(request, issued_at=issued_at)
    target.write_bytes(issued.pdf)
    trust = TrustList.load((target.parent / "trust-list.cose").read_bytes(), _root(target.parent), at=issued_at)
    verdict = verify_pdf(target, trust, root=_root(target.parent), at=issued_at + datetime.timedelta(minutes=5))
    echo(f"  {target}: " + ("signature and QR verified ✓" if verdict.valid else f"NOT VALID: {verdict.codes}"))
    echo(f"  localgov verify {target} --trust {target.parent / 'trust-list.cose'} --root {target.parent / 'root.pem'}")
    return verdict


def _root(folder: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate((folder / "root.pem").read_bytes())


def _village_signer(output: Path, *, now: datetime.datetime) -> PdfSigner:
    """Throwaway keys: national root, Qalyubia's CA, Kafr El Gazzar's signer, and the signed trust list."""
    root = create_root("localgov DEMO Root CA", now=now)
    qalyubia_ca = issue_governorate_ca(root, "KB", "localgov DEMO Qalyubia CA", now=now)
    list_signer = issue_trust_list_signer(root, "localgov DEMO Trust List Signer", now=now)
    signer = issue_unit_signer(qalyubia_ca, "KB-KGZ", ["building_permit"], now=now)
    signed = TrustList.build(
        [signer.certificate], sequence=1, issued_at=now, root=root.certificate, intermediates=[qalyubia_ca.certificate]
    ).sign(list_signer, root.certificate)
    (output / "trust-list.cose").write_bytes(signed)
    save_certificate(output / "root.pem", root.certificate)
    return PdfSigner(signer, (qalyubia_ca.certificate, root.certificate))
