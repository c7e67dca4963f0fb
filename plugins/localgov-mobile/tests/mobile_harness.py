"""Shared by the tests: a PKI with Zeitoun's signer, Cairo's engine, the sync server, tablets."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from functools import cache
from pathlib import Path

import attrs
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from localgov_mobile import Photo, ProvisionalReceipt, SyncServer, Tablet

from localgov.app import Localgov
from localgov.identity import compose_national_id
from localgov.organisation import StaffMember
from localgov.pki import Credential, create_root, issue_device_certificate, issue_governorate_ca, issue_unit_signer
from localgov.requests import Engine
from localgov.requests.model import Applicant
from localgov.tokens import RevocationList

UTC = datetime.UTC
NOW = datetime.datetime(2026, 12, 7, 8, 30, tzinfo=UTC)  # Monday 7 December 2026, 10:30 in Cairo
APPLICANT = Applicant(compose_national_id(datetime.date(1980, 5, 17), "01", 1234), "محمد أحمد علي حسن", "01012345678")
RENEWAL_FORM = {"licence_number": "ZTN/SH/2020/118", "activity": "retail", "shop_address": "٣ شارع طومان باي، الزيتون"}
MOBILE_CLERK = StaffMember(
    "zt-tablet-amal", "أمل سعيد", "zeitoun", frozenset({"mobile_clerk"}), national_id="29001010100011"
)
CHECKER = StaffMember("zt-docs-karim", "كريم فؤاد", "zeitoun", frozenset({"document_checker"}))
STAFF = (MOBILE_CLERK, CHECKER)
SERVICE_POINT = "zeitoun_mobile"
PDF = b"%PDF-1.4\n% "


def renewal_photos() -> list[Photo]:
    return [Photo(t, "pdf", PDF + t.encode()) for t in ("previous_licence", "national_id_copy")]


def take_renewals(tablet: Tablet, count: int = 1) -> list[ProvisionalReceipt]:
    """``count`` shop-licence renewals taken on ``tablet`` by the mobile clerk; their receipts."""
    return [
        tablet.take(
            "shop_licence_renewal",
            applicant=APPLICANT,
            form=RENEWAL_FORM,
            clerk=MOBILE_CLERK.id,
            service_point=SERVICE_POINT,
            photos=renewal_photos(),
        )
        for _ in range(count)
    ]


@attrs.frozen
class Pki:
    root: Credential
    ca: Credential
    signer: Credential


@cache
def pki() -> Pki:
    start = NOW - datetime.timedelta(days=30)
    root = create_root("TEST Root", now=start)
    ca = issue_governorate_ca(root, "C", "TEST Cairo CA", now=start)
    signer = issue_unit_signer(ca, "C-ZTN", ["shop_licence"], now=start)
    return Pki(root, ca, signer)


@cache
def cairo() -> Localgov:
    return Localgov(plugins=["cairo"])


class Clock:
    """A clock the tests move: the server's and a tablet's may differ."""

    def __init__(self, at: datetime.datetime = NOW) -> None:
        self.at = at

    def __call__(self) -> datetime.datetime:
        return self.at


def certify(
    unit: str = "C-ZTN", device_id: str = "ZTN-TAB-01"
) -> Callable[[ec.EllipticCurvePublicKey], list[x509.Certificate]]:
    keys = pki()

    def issue(public_key: ec.EllipticCurvePublicKey) -> list[x509.Certificate]:
        start = NOW - datetime.timedelta(days=1)
        return [issue_device_certificate(keys.ca, unit, device_id, public_key, now=start), keys.ca.certificate]

    return issue


@attrs.define
class World:
    engine: Engine
    server: SyncServer
    clock: Clock
    revocations: RevocationList = attrs.field(factory=RevocationList)

    def tablet(self, folder: Path, device_id: str = "ZTN-TAB-01", clock: Clock | None = None) -> Tablet:
        tablet = Tablet.enrol(
            folder, root=pki().root.certificate, certify=certify(device_id=device_id), clock=clock or self.clock
        )
        tablet.install_bundle(self.server.signed_bundle("zeitoun"))
        return tablet


def world(url: str, clock: Clock | None = None, app: Localgov | None = None) -> World:
    clock = clock or Clock()
    engine = (app or cairo()).engine(url, staff=STAFF, clock=clock)
    keys = pki()
    holder: list[World] = []
    server = SyncServer(
        engine,
        root=keys.root.certificate,
        revocations=lambda: holder[0].revocations,
        bundle_signers={"zeitoun": (keys.signer, [keys.ca.certificate])},
    )
    holder.append(World(engine, server, clock))
    return holder[0]
