"""The end-to-end demonstration behind ``make demo``: a building permit in Zeitoun, Cairo.

It runs the real engine on an SQLite file: the front desk receives the request, the back office
sends it back for a missing document, the applicant supplies it, a separation-of-duties breach is
refused, the fees are assessed and paid, the permit is approved and issued, and the whole history
is verified; the permit goes into the public permit log, whose inclusion proof is checked offline,
and a signed checkpoint of the unit's histories is written outside the database. Each step is
printed in Arabic and English.

Why one module of over 400 lines: it is a script told in order, meant to be read top to bottom
beside its output, as a new developer's first tour of the library; each helper here serves only
that story, and split across modules the story would no longer read as one.
"""

from __future__ import annotations

import datetime
import os
import secrets
from collections.abc import Callable
from pathlib import Path

import attrs
from cryptography import x509

from localgov.app import Localgov
from localgov.demo.letters import ask_planning_by_letter
from localgov.demo.narration import Scenario
from localgov.documents import DocumentFactory, IssuedPermit, PdfSigner, verify_pdf
from localgov.i18n import LocalizedText, to_eastern_digits
from localgov.identity import compose_national_id
from localgov.notifications import Dispatcher, HttpGatewaySimulator, HttpSmsGateway
from localgov.organisation import StaffMember
from localgov.permits import log_entry
from localgov.pki import (
    Credential,
    create_root,
    issue_governorate_ca,
    issue_trust_list_signer,
    issue_unit_signer,
    save_certificate,
    save_private_key,
)
from localgov.requests import DocumentUpload, Engine
from localgov.requests.checkpoints import AuditCheckpoint, check_store, take_checkpoint
from localgov.requests.errors import RequestError
from localgov.requests.model import Applicant, Request
from localgov.storage import SqlOutbox
from localgov.storage.permit_log import SqlPermitLog
from localgov.tokens import RevocationUpdate, TrustList, format_permit
from localgov.tokens import verify as verify_token
from localgov.tokens.qr import qr_version, read_qr_texts, render_png
from localgov.tokens.receipt import receipt_link
from localgov.transparency import Ed25519Signer, InclusionProofFile

__all__ = ["DemoResult", "run_demo", "zeitoun_staff"]

CAIRO_TZ = datetime.timezone(datetime.timedelta(hours=2))
# A fixed timeline (Sunday 1 November 2026, 09:00 Cairo) so the dates printed are the same each run.
START = datetime.datetime(2026, 11, 1, 9, 0, tzinfo=CAIRO_TZ)


LOG_ORIGIN = "log.cairo.gov.eg/permits"  # the public permit log's name, a checkpoint's first line
PORTAL = "https://services.cairo.gov.eg"  # the governorate's portal base URL (configuration)


@attrs.frozen
class DemoTrust:
    signer: Credential
    trust: TrustList
    root: x509.Certificate
    chain: tuple[x509.Certificate, ...]
    ca: Credential  # Cairo's CA: certifies the district's tablets (the demo_field_channel hook)


def _pay(app: Localgov, engine: Engine, request: Request, echo: Callable[[str], None]) -> Request:
    """Pay through a payment plugin's simulator (``demo_payment``), else at the counter."""
    reference = app.plugins.hook.demo_payment(engine=engine, request=request)
    if reference is None:
        assert request.invoice is not None
        echo("  (no payment plugin offers a simulator: the payment is recorded at the counter)")
        return engine.record_payment(
            request.id, amount=request.invoice.total, provider="counter", reference=f"{request.id}-1"
        )
    echo(f"  الرقم المرجعي للدفع / payment reference: {reference}  (paid, notification received)")
    return engine.get(request.id)


def _demo_pki(output: Path, *, now: datetime.datetime) -> DemoTrust:
    """A fresh certificate hierarchy for the demo: national root, Cairo CA, Zeitoun's signer.

    A deployment creates these once with ``localgov pki`` and keeps the keys safe; the demo makes
    throwaway ones and publishes the root and the signed trust list a ministry would download.
    """
    folder = output / "pki"
    folder.mkdir(exist_ok=True)
    root = create_root("localgov DEMO Root CA", now=now)
    cairo_ca = issue_governorate_ca(root, "C", "localgov DEMO Cairo CA", now=now)
    list_signer = issue_trust_list_signer(root, "localgov DEMO Trust List Signer", now=now)
    signer = issue_unit_signer(cairo_ca, "C-ZTN", ["building_permit", "demolition_permit", "elevation_permit"], now=now)
    for name, credential in (
        ("root", root),
        ("cairo-ca", cairo_ca),
        ("trust-list-signer", list_signer),
        ("zeitoun-signer", signer),
    ):
        save_certificate(folder / f"{name}.pem", credential.certificate)
        save_private_key(folder / f"{name}.key", credential.private_key, None)
    signed = TrustList.build(
        [signer.certificate], sequence=1, issued_at=now, root=root.certificate, intermediates=[cairo_ca.certificate]
    ).sign(list_signer, root.certificate)
    (output / "trust-list.cose").write_bytes(signed)
    # Nothing revoked yet: the signed, empty list a verifier caches beside the trust list.
    (output / "revocations.cose").write_bytes(
        RevocationUpdate(sequence=1, revoked={}, issued_at=now).sign(list_signer, root.certificate)
    )
    save_certificate(output / "root.pem", root.certificate)
    return DemoTrust(
        signer,
        TrustList.load(signed, root.certificate, at=now),
        root.certificate,
        (cairo_ca.certificate, root.certificate),
        cairo_ca,
    )


def zeitoun_staff() -> list[StaffMember]:
    """The demo's roster at Zeitoun district: one person per role, and one who holds two."""
    unit = "zeitoun"
    return [
        StaffMember("zt-clerk-mona", "منى عبد الله", unit, {"front_desk_clerk"}),
        StaffMember("zt-docs-karim", "كريم فؤاد", unit, {"document_checker"}),
        StaffMember("zt-eng-hany", "م. هاني سمير", unit, {"engineer", "approver"}),
        StaffMember("zt-insp-salma", "م. سلمى رضا", unit, {"field_inspector"}),
        StaffMember("zt-fees-omar", "عمر خليل", unit, {"fee_assessor"}),
        StaffMember("zt-head-nadia", "نادية حسين", unit, {"approver"}),
        StaffMember("zt-issue-youssef", "يوسف إبراهيم", unit, {"issuer"}),
        StaffMember("zt-tablet-amal", "أمل سعيد", unit, {"mobile_clerk"}),  # the mobile district
    ]


@attrs.frozen
class DemoResult:
    request: Request
    database: Path
    findings: dict[str, list[str]]


def _pdf(title: str) -> bytes:
    """A minimal valid one-page PDF standing in for a scanned document."""
    text = title.encode("ascii", "replace")
    stream = b"BT /F1 12 Tf 72 720 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def run_demo(output: Path, *, echo: Callable[[str], None] = print) -> DemoResult:
    output.mkdir(parents=True, exist_ok=True)
    database = output / "localgov.db"
    for stale in (database, output / "localgov.db-wal", output / "localgov.db-shm"):
        stale.unlink(missing_ok=True)
    key_file = output / "audit.key"
    if not key_file.exists():
        key_file.write_bytes(secrets.token_hex(32).encode())
        os.chmod(key_file, 0o600)

    app = Localgov()
    if "C" not in app.organisation:
        raise RequestError("the demo needs the localgov-cairo plugin (pip install -e plugins/localgov-cairo)")
    staff = {member.id: member for member in zeitoun_staff()}
    moments = [START]
    # The engine's clock follows the scenario, so what happens on its own (a payment notification)
    # is dated like the rest.
    engine = app.engine(
        f"sqlite:///{database}",
        staff=staff.values(),
        audit_key=key_file.read_bytes().strip(),
        clock=lambda: moments[-1],
    )
    trust_material = _demo_pki(output, now=START - datetime.timedelta(days=30))
    # Every permit the factory signs goes into the public permit log before its PDF is handed out.
    permit_log = SqlPermitLog.open(f"sqlite:///{database}", origin=LOG_ORIGIN)
    documents = DocumentFactory(
        app, signer=PdfSigner(trust_material.signer, trust_material.chain), permit_log=permit_log
    )

    scenario = Scenario(engine, echo, moments)
    step, show, at = scenario.step, scenario.show, scenario.at

    cairo = app.organisation["C"]
    zeitoun = cairo.units["zeitoun"]
    echo(f"localgov — {cairo.name.ar} / {cairo.name.en}: {zeitoun.name.ar} / {zeitoun.name.en}")
    echo(f"database: {database}")

    step(
        LocalizedText(
            "المواطن يتقدم بطلب رخصة بناء في الشباك الواحد بالمركز التكنولوجي بالزيتون",
            "A citizen applies for a building permit at the Zeitoun technology center's one window",
        )
    )
    applicant = Applicant(
        compose_national_id(datetime.date(1978, 3, 14), "01", 2345), "محمد أحمد عبد الرحمن السيد", "010 1234 5678"
    )
    request = engine.submit(
        "building_permit",
        unit="zeitoun",
        channel="front_desk",
        service_point="zeitoun_tc",
        actor=staff["zt-clerk-mona"],
        applicant=applicant,
        form={
            "applicant_capacity": "owner",
            "parcel_reference": "قطعة ١٢ بلوك ٤ — ZTN/12/4",
            "site_address": "١٢ شارع طومان باي، حي الزيتون، القاهرة",
            "floors": "5",
            "height_m": "16.5",
            "built_area": "240",
            "building_use": "residential",
            "estimated_cost": "2500000",
        },
        documents=[
            DocumentUpload(kind, _pdf(kind), "pdf", f"{kind}.pdf")
            for kind in ("national_id_copy", "ownership_proof", "site_validity_statement", "engineering_drawings")
        ],
        idempotency_key="demo-zeitoun-0001",
        at=at(),
    )
    echo(f"  رقم المتابعة / tracking number: {request.id}   رمز الاستعلام / access code: {request.access_code}")
    echo(f"  الموعد المتوقع / expected by: {request.due_date.isoformat()}")
    (output / "receipt.pdf").write_bytes(documents.receipt(request))
    echo(f"  نموذج استلام الخدمة / receipt form: {output / 'receipt.pdf'}")
    show(request)

    step(
        LocalizedText(
            "مراجع المستندات يطلب تعهد المهندس المشرف الناقص",
            "The document checker asks for the missing supervising engineer's undertaking",
        )
    )
    request = engine.act(
        request.id,
        "request_missing",
        staff["zt-docs-karim"],
        comment="تعهد المهندس المشرف على التنفيذ غير مرفق / supervising engineer's undertaking missing",
        at=at(),
    )
    show(request)
    echo(f"  المطلوب / missing: {request.missing}")
    (output / "notice-missing-documents.pdf").write_bytes(documents.notice(request))
    echo(f"  إخطار باستيفاء المستندات / notice: {output / 'notice-missing-documents.pdf'}")

    step(
        LocalizedText(
            "بعد ثلاثة أيام يستوفي المواطن المستند في الشباك الواحد (توقفت المدة أثناء الانتظار)",
            "Three days later the citizen supplies it at the one window (the clock stood still meanwhile)",
        )
    )
    before = request.due_date
    request = engine.act(
        request.id,
        "resubmit",
        staff["zt-clerk-mona"],
        documents=[DocumentUpload("supervising_engineer_undertaking", _pdf("undertaking"), "pdf", "undertaking.pdf")],
        at=at(days=3),
    )
    echo(f"  الموعد المتوقع / expected by: {before.isoformat()} → {request.due_date.isoformat()}")
    show(request)

    request = scenario.decide(
        request, "accept_documents", staff["zt-docs-karim"], LocalizedText("قبول المستندات", "Documents accepted")
    )
    step(
        LocalizedText(
            "المهندس يستعلم من إدارة التخطيط بحي المطرية بخطاب موقع؛ ساعة الطلب تتوقف حتى يصل الرد",
            "The engineer asks Matareya's planning department by a signed letter; the request's clock"
            " stands still until the reply",
        )
    )
    request = ask_planning_by_letter(app, request, staff["zt-eng-hany"], trust_material, scenario)
    for action, who, text in (
        ("complete_review", "zt-eng-hany", LocalizedText("المراجعة الفنية", "Technical review completed")),
        ("record_inspection", "zt-insp-salma", LocalizedText("المعاينة الميدانية", "Field inspection recorded")),
        ("assess_fees", "zt-fees-omar", LocalizedText("تقدير الرسوم", "Fees assessed")),
    ):
        request = scenario.decide(request, action, staff[who], text)
    scenario.show_invoice(request)

    step(
        LocalizedText(
            "السداد برقم مرجعي في أي منفذ فوري، وإشعار السداد ينقل الطلب تلقائيًا",
            "Payment with a Pay-at-Fawry reference at an outlet; the notification moves the request on",
        )
    )
    at()
    request = _pay(app, engine, request, echo)
    show(request)

    step(
        LocalizedText(
            "المهندس الذي راجع الطلب يحاول اعتماده: يرفض النظام (الفصل بين المهام)",
            "The engineer who reviewed the request tries to approve it: refused (separation of duties)",
        )
    )
    try:
        engine.act(request.id, "approve", staff["zt-eng-hany"], at=at())
    except RequestError as refusal:
        echo(f"  ✗ {type(refusal).__name__}: {refusal}")
    else:  # pragma: no cover - the engine must refuse
        raise AssertionError("separation of duties was not enforced")

    for action, who, text in (
        ("approve", "zt-head-nadia", LocalizedText("رئيس الحي يعتمد", "The head of district approves")),
        ("issue", "zt-issue-youssef", LocalizedText("إصدار الرخصة", "The permit is issued")),
    ):
        request = scenario.decide(request, action, staff[who], text)
    assert request.issued is not None
    echo(f"  رقم الرخصة / permit number: {request.issued.number}")

    _text_messages(app, engine, request, echo, step)

    step(LocalizedText("مسار الطلب كما يراه المواطن", "The request's path as the citizen sees it"))
    status = engine.status(request.id, request.access_code)
    for day, name in status.steps:
        echo(f"  {day.isoformat()}  {name.ar} / {name.en}")

    issued_at = moments[-1]
    step(
        LocalizedText(
            "الرخصة ملف PDF موقّع رقميًا (PAdES) ورمز QR موقّع يمكن لأي جهة التحقق منه",
            "The permit: a digitally signed PDF (PAdES) carrying a signed QR code anyone can verify",
        )
    )
    issued = documents.issue_permit(request, issued_at=issued_at)
    (output / "permit.pdf").write_bytes(issued.pdf)
    verdict = verify_pdf(
        output / "permit.pdf",
        trust_material.trust,
        root=trust_material.root,
        at=issued_at + datetime.timedelta(minutes=5),
    )
    echo(
        f"  {output / 'permit.pdf'}: "
        + ("signature and QR verified ✓" if verdict.valid else f"NOT VALID: {verdict.codes}")
    )
    echo(f"  localgov verify {output / 'permit.pdf'} --trust {output / 'trust-list.cose'} --root {output / 'root.pem'}")

    step(
        LocalizedText(
            "إصدار رمز QR موقّع للرخصة، وحفظه صورةً، ثم قراءته من الصورة والتحقق منه دون اتصال",
            "Signing the permit's QR token, saving it as an image, reading it back and verifying it offline",
        )
    )
    token = issued.token  # the one the PDF's QR code carries, and the log holds
    qr_path = output / "permit-qr.png"
    render_png(token, qr_path, scale=6)
    (read_back,) = read_qr_texts(qr_path)
    verified = verify_token(read_back, trust_material.trust, at=issued_at + datetime.timedelta(minutes=5))
    echo(f"  {qr_path}  (QR version {qr_version(token)}, {len(token)} characters)")
    for printed in format_permit(verified.claims).splitlines():
        echo(f"    {printed}" if printed else "")
    receipt_qr = output / "receipt-qr.png"
    render_png(receipt_link(PORTAL, request.id, request.access_code), receipt_qr, scale=6)
    echo(f"  {receipt_qr}: {receipt_link(PORTAL, request.id, request.access_code)}")

    step(LocalizedText("التحقق من سلسلة السجل", "Verifying the hash-chained history"))
    findings = engine.audit()
    events = engine.history(request.id)
    echo(f"  {len(events)} events; " + ("history verifies ✓ / السجل سليم" if not findings else f"FINDINGS: {findings}"))

    # Channel plugins (the mobile district's tablet...) show a request taken in the field, before
    # the audit checkpoint below, which then covers it.
    app.plugins.hook.demo_field_channel(
        engine=engine,
        governorate_ca=trust_material.ca,
        unit_signer=trust_material.signer,
        root=trust_material.root,
        output=output,
        step=step,
        echo=echo,
    )

    step(
        LocalizedText(
            "الرخصة في السجل العام للتراخيص، ونقطة تدقيق موقعة تُحفظ خارج قاعدة البيانات",
            "The permit in the public permit log, and a signed audit checkpoint kept outside the database",
        )
    )
    (output / "permit-token.txt").write_text(token + "\n", "utf-8")
    findings |= _log_and_checkpoint(output, database, engine, trust_material, permit_log, issued, echo)
    permit_log.close()
    return DemoResult(request=request, database=database, findings=findings)


def _text_messages(
    app: Localgov,
    engine: Engine,
    request: Request,
    echo: Callable[[str], None],
    step: Callable[[LocalizedText], None],
) -> None:
    """Deliver the outbox through an SMS simulator; print what went to and from the applicant's phone."""
    step(
        LocalizedText(
            "الرسائل النصية بين هاتف مقدم الطلب والمركز، كما سجلها محاكي مركز الرسائل",
            "The text messages between the applicant's phone and the center, as the SMS simulator recorded them",
        )
    )
    exchanged = app.plugins.hook.demo_sms(engine=engine, request=request)
    if exchanged is None:
        exchanged = _through_http_simulator(engine, request)
    for sender, recipient, text in exchanged:
        echo(f"  [{sender} → {recipient}] {text}")


def _through_http_simulator(engine: Engine, request: Request) -> list[tuple[str, str, str]]:
    """The outbox delivered through the HTTP gateway's simulator: what it received for the applicant."""
    simulator = HttpGatewaySimulator().start()
    try:
        gateway = HttpSmsGateway(simulator.base_url, simulator.token, "LocalGov")
        simulator.on_receipt = gateway.receipt_from
        Dispatcher(SqlOutbox(engine.store.engine), gateway).drain()  # type: ignore[attr-defined]
    finally:
        simulator.stop()
    return [(sms.sender, sms.to, sms.text) for sms in simulator.messages if sms.to == request.applicant.mobile]


def _log_and_checkpoint(
    output: Path,
    database: Path,
    engine: Engine,
    trust_material: DemoTrust,
    log: SqlPermitLog,
    issued: IssuedPermit,
    echo: Callable[[str], None],
) -> dict[str, list[str]]:
    """Sign the log's head, prove the permit's inclusion offline, and checkpoint the unit's chain heads."""
    origin, token, issued_at = LOG_ORIGIN, issued.token, issued.claims.issued_at
    log_key = Ed25519Signer.generate(origin)
    (output / "log.pub").write_text(log_key.verifier.vkey + "\n", "utf-8")
    secret = output / "log.key"
    secret.write_text(log_key.skey + "\n", "utf-8")
    os.chmod(secret, 0o600)
    index = issued.log_index
    assert index is not None  # the factory publishes to the log
    signed = log.sign_checkpoint([log_key])
    proof = InclusionProofFile(index, tuple(log.inclusion_proof(index, signed.checkpoint.size)), signed)
    (output / "permit.proof").write_text(str(proof), "utf-8")
    # What a ministry does offline with the permit's token, the proof file and the log's public key.
    head = (
        InclusionProofFile.parse((output / "permit.proof").read_bytes())
        .verify(log_entry(token).encode(), [log_key.verifier], origin=origin)
        .checkpoint
    )
    echo(
        f"  {output / 'permit.proof'}: في السجل العام عند الموضع {to_eastern_digits(str(index))} ✓ / in the public log {origin} at index {index} "
        f"(tree of {head.size}, root {head.root_hash.hex()[:16]}…)"
    )
    echo(
        f'  localgov log check --proof {output / "permit.proof"} --log-key {output / "log.pub"} --token "$(cat {output / "permit-token.txt"})"'
    )

    taken = take_checkpoint(engine.store, "zeitoun", "C-ZTN", issued_at + datetime.timedelta(minutes=10))
    folder = output / "checkpoints"
    folder.mkdir(exist_ok=True)
    target = folder / f"C-ZTN-{taken.made_at.strftime('%Y%m%dT%H%M%SZ')}.checkpoint"
    target.write_bytes(taken.sign(trust_material.signer))
    found = check_store(engine.store, [AuditCheckpoint.load(target.read_bytes(), trust_material.trust)])
    echo(
        f"  {target}: {to_eastern_digits(str(taken.size))} طلب، الجذر / requests, root {taken.root.hex()[:16]}… "
        + ("the database extends it ✓" if not found else f"FINDINGS: {found}")
    )
    echo(
        f"  localgov --db sqlite:///{database} --audit-key-file {output / 'audit.key'} audit verify "
        f"--checkpoint {target} --trust {output / 'trust-list.cose'} --root {output / 'root.pem'}"
    )
    return {"checkpoint": found} if found else {}
