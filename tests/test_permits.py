"""An issued request becomes the claims of its signed permit token."""

from __future__ import annotations

import datetime
from decimal import Decimal

import attrs
import pytest

from localgov.app import Localgov
from localgov.errors import LocalgovError
from localgov.permits import figure_name, issuer_code, permit_claims
from localgov.requests.model import Applicant, Issued, Request

AT = datetime.datetime(2026, 11, 5, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture(scope="module")
def app() -> Localgov:
    return Localgov(plugins=["cairo"])


def issued_request(service: str, form: dict[str, str], *, expires: datetime.date | None = None) -> Request:
    return Request(
        id="CZTN-2600001-3",
        governorate="C",
        unit="zeitoun",
        service=service,
        channel="front_desk",
        service_point="zeitoun_tc",
        applicant=Applicant("27803140123452", "محمد أحمد", "+201012345678"),
        form=form,
        documents=(),
        state="issued",
        version=9,
        submitted_at=AT,
        due_date=AT.date(),
        issued=Issued("2026/ZTN/000001", AT.date(), expires),
    )


def test_building_permit_claims_carry_the_inspectors_figures(app: Localgov) -> None:
    form = {
        "parcel_reference": "ZTN/12/4",
        "site_address": "١٢ شارع طومان باي",
        "floors": "5",
        "height_m": "16.5",
        "built_area": "240",
        "building_use": "residential",
    }
    request = issued_request("building_permit", form, expires=datetime.date(2029, 11, 4))
    claims = permit_claims(request, app.catalogue.service("building_permit"), app.organisation["C"], issued_at=AT)
    assert (claims.issuer, claims.permit_number, claims.kind) == ("C-ZTN", "2026/ZTN/000001", "building_permit")
    assert (claims.parcel, claims.holder_name) == ("ZTN/12/4", "محمد أحمد")
    assert claims.figures_map == {"floors": 5, "height_m": Decimal("16.5"), "built_area_m2": 240}
    assert claims.expires_at is not None and claims.expires_at.date() == datetime.date(2029, 11, 4)


def test_a_renewal_issues_the_licence_document(app: Localgov) -> None:
    service = app.catalogue.service("shop_licence_renewal")
    claims = permit_claims(issued_request(service.code, {}), service, app.organisation["C"], issued_at=AT)
    assert claims.kind == "shop_licence"


def test_a_request_not_yet_issued_has_no_claims(app: Localgov) -> None:
    request = attrs.evolve(issued_request("building_permit", {}), issued=None)
    with pytest.raises(LocalgovError, match="has not been issued"):
        permit_claims(request, app.catalogue.service("building_permit"), app.organisation["C"], issued_at=AT)


def test_codes_and_figure_names(app: Localgov) -> None:
    assert issuer_code(app.organisation["C"], "zeitoun") == "C-ZTN"
    service = app.catalogue.service("building_permit")
    assert figure_name(service, "built_area") == "built_area_m2"
    assert figure_name(service, "floors") == "floors"
