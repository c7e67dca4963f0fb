"""Shared by the tests: the provider over the counter simulator, and Cairo with a post office."""

from __future__ import annotations

import datetime
import json
import tomllib
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import localgov_cairo
import tomli_w
from localgov_egypt_post import CounterSimulator, EgyptPostProvider

from localgov.app import Localgov
from localgov.identity import compose_national_id
from localgov.organisation import StaffMember
from localgov.payments import CreatedPayment
from localgov.requests import DocumentUpload
from localgov.requests.model import Applicant
from localgov.testing.payments import DeliveredNotification

KEY = "b71f0c2e-post-counter-shared-key"

APPLICANT = Applicant(compose_national_id(datetime.date(1980, 5, 17), "01", 1234), "محمد أحمد علي حسن", "01012345678")
RENEWAL_FORM = {"licence_number": "SHB/SH/2020/118", "activity": "retail", "shop_address": "٣ شارع شبرا، شبرا"}


def member(staff_id: str, *roles: str, unit: str = "shubra", national_id: str | None = None) -> StaffMember:
    return StaffMember(staff_id, staff_id.title(), unit, frozenset(roles), national_id=national_id)


# Shubra's post office clerk, and the district's back office that receives the originals.
POST_CLERK = member("post1", "post_clerk", national_id="29001010100011")
CHECKER = member("doc1", "document_checker")
CHECKER2 = member("doc2", "document_checker")
ASSESSOR = member("fee1", "fee_assessor")
APPROVER = member("head1", "approver")
ISSUER = member("iss1", "issuer")
STAFF = (CHECKER, CHECKER2, ASSESSOR, APPROVER, ISSUER)


def renewal_documents() -> list[DocumentUpload]:
    return [DocumentUpload(t, b"%PDF-1.4\n% " + t.encode(), "pdf") for t in ("previous_licence", "national_id_copy")]


class CounterHarness:
    """What the payment contract suite needs: the provider, its secret, and the counters as the world."""

    def __init__(self) -> None:
        self.counter = CounterSimulator(KEY)
        self.provider: EgyptPostProvider = self.counter.provider()

    @property
    def secrets(self) -> Sequence[str]:
        return [KEY]

    def pay(self, created: CreatedPayment) -> DeliveredNotification:
        sent = self.counter.collect(created.provider_ref, office="shubra_post", clerk="post1")
        return DeliveredNotification(sent.body, sent.headers)

    def expire(self, created: CreatedPayment) -> None:
        self.counter.expire(created.provider_ref)

    def alter_amount(self, notification: DeliveredNotification, amount: Decimal) -> DeliveredNotification:
        message = json.loads(notification.body)
        message["amount"] = float(amount)
        return DeliveredNotification(json.dumps(message).encode(), notification.headers)


def post_office_app(folder: Path, **settings: str) -> Localgov:
    """Cairo with this plugin's placeholder post offices, and a renewal offered at the post office.

    Cairo lists ``post_office`` on none of its services, so the test adds one: Cairo's shop
    licence renewal under another code, with the post office among its channels. This is how a
    governorate offers a service at the post office (its ``channels`` list).
    """
    source = Path(localgov_cairo.__file__).parent / "data" / "services" / "shops.toml"
    renewal = tomllib.loads(source.read_text("utf-8"))["services"]["shop_licence_renewal"]
    renewal = {
        **renewal,
        "channels": ["front_desk", "post_office"],
        "name": {"ar": "تجديد ترخيص محل بمكتب البريد", "en": "Shop licence renewal at the post office"},
    }
    catalogue = folder / "post_catalogue.toml"
    catalogue.write_text(tomli_w.dumps({"services": {"postal_renewal": renewal}}), "utf-8")
    return Localgov(
        plugins=["cairo", "egypt_post"],
        catalogue=[catalogue],
        settings={"egypt_post": {"governorates": "C", **settings}},
    )
