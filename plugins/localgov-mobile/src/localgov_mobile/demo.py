"""``make demo``'s mobile-district step: a shop-licence renewal taken offline in Zeitoun, then synced."""

from __future__ import annotations

import datetime
import shutil
from collections.abc import Callable
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from localgov.i18n import LocalizedText
from localgov.identity import compose_national_id
from localgov.pki import Credential, issue_device_certificate, unit_code_of
from localgov.requests import Engine
from localgov.requests.model import Applicant
from localgov.tokens.qr import render_png
from localgov_mobile.server import SyncServer
from localgov_mobile.submission import Photo
from localgov_mobile.tablet import Tablet
from localgov_mobile.transport import LocalTransport

__all__ = ["offline_renewal"]

CLERK = "zt-tablet-amal"
DEVICE = "ZTN-TAB-01"


def _scanned(kind: str) -> Photo:
    """A stand-in for a document photographed on the tablet (a one-line PDF)."""
    return Photo(kind, "pdf", b"%PDF-1.4\n% " + kind.encode() + b" photographed at the shop\n%%EOF\n")


def offline_renewal(
    engine: Engine,
    governorate_ca: Credential,
    unit_signer: Credential,
    root: x509.Certificate,
    output: Path,
    step: Callable[[LocalizedText], None],
    echo: Callable[[str], None],
) -> None:
    """Enrol a tablet, download the bundle, take a renewal offline, print the receipt, sync."""
    cairo = engine.organisation.get("C")
    if CLERK not in engine.staff or cairo is None or "zeitoun" not in cairo.units:
        return  # not the demo's Zeitoun: nothing to show
    step(
        LocalizedText(
            "الحي المتنقل: تابلت الحي يُسجَّل بشهادة جهاز ويحمّل حزمة الخدمات الموقّعة",
            "The mobile district: the district's tablet is enrolled with a device certificate and downloads the signed bundle",
        )
    )
    folder = output / "tablet"
    shutil.rmtree(folder, ignore_errors=True)  # the demo's own output, from an earlier run
    issuer = unit_code_of(unit_signer.certificate) or "C-ZTN"

    def certify(key: ec.EllipticCurvePublicKey) -> list[x509.Certificate]:
        start = engine.now() - datetime.timedelta(hours=1)
        return [issue_device_certificate(governorate_ca, issuer, DEVICE, key, now=start), governorate_ca.certificate]

    tablet = Tablet.enrol(folder, root=root, certify=certify, clock=engine.now)
    server = SyncServer(engine, root=root, bundle_signers={"zeitoun": (unit_signer, [governorate_ca.certificate])})
    bundle = tablet.install_bundle(server.signed_bundle("zeitoun"))
    echo(
        f"  الجهاز / device: {tablet.device_id} ({issuer})   الحزمة / bundle {bundle.sequence}, valid until {bundle.valid_until.date()}"
    )
    for code in bundle.services:
        name = bundle.catalogue.services[code].name
        echo(f"    • {name.ar} / {name.en}")

    step(
        LocalizedText(
            "الموظفة في محل صاحب الطلب دون اتصال: تجديد رخصة المحل، وإيصال مؤقت برمز QR موقّع من الجهاز",
            "At the applicant's shop, offline: the shop-licence renewal, and a provisional receipt with a device-signed QR code",
        )
    )
    applicant = Applicant(
        compose_national_id(datetime.date(1969, 8, 2), "01", 4321), "حسن محمود عبد الفتاح", "011 2233 4455"
    )
    receipt = tablet.take(
        "shop_licence_renewal",
        applicant=applicant,
        form={
            "licence_number": "ZTN/SH/2019/0457",
            "activity": "retail",
            "shop_address": "٤٥ شارع سليم الأول، الزيتون",
        },
        clerk=CLERK,
        service_point=bundle.service_points[0],
        photos=[_scanned("previous_licence"), _scanned("national_id_copy")],
    )
    for line in receipt.lines():
        echo(f"  {line}")
    qr_path = output / "tablet-receipt-qr.png"
    render_png(receipt.qr_text, qr_path, scale=5)
    echo(f"  {qr_path}  ({len(receipt.qr_text)} characters, signed by {tablet.device_id})")
    echo(f"  صندوق الصادر / outbox: {len(tablet.waiting())} waiting in {folder / 'outbox.sqlite3'}")

    step(
        LocalizedText(
            "عودة الاتصال: المزامنة، ويُستلم الطلب مرة واحدة عبر الشباك الواحد",
            "Back in coverage: the tablet syncs, and the one window receives the request exactly once",
        )
    )
    report = tablet.sync(LocalTransport(server))
    for outcome in report.outcomes:
        if outcome.request_id is None:
            echo(f"  {outcome.sequence}: {outcome.outcome} — {outcome.reason}")
            continue
        request = engine.get(outcome.request_id)
        state = engine.workflow_of(request).definition.state(request.state)
        assert state is not None
        echo(f"  {receipt.number} → {outcome.outcome}: رقم المتابعة / tracking number {request.id}")
        echo(f"  → {state.name.ar} / {state.name.en}  (channel {request.channel}, {request.service_point}, by {CLERK})")
    again = tablet.sync(LocalTransport(server))
    body = tablet.sync_request()
    echo(f"  synced again: {len(again.outcomes)} sent, {len(body.envelopes)} waiting; clock skew {report.clock_skew} s")
