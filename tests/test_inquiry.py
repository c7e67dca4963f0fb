"""SMS status inquiries: the receipt's two codes in, a short bilingual status out."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from localgov.app import Localgov
from localgov.demo import _pdf, zeitoun_staff
from localgov.i18n import to_eastern_digits
from localgov.requests import DocumentUpload, Engine
from localgov.requests.inquiry import NOT_FOUND, answer_sms_inquiry
from localgov.requests.model import Applicant, Request

AT = datetime.datetime(2026, 11, 1, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture(scope="module")
def engine_and_request() -> tuple[Engine, Request]:
    staff = zeitoun_staff()
    engine = Localgov(plugins=["cairo"]).engine("sqlite://", staff=staff)
    request = engine.submit(
        "building_permit",
        unit="zeitoun",
        channel="front_desk",
        service_point="zeitoun_tc",
        actor=staff[0],
        applicant=Applicant("27803140123452", "محمد أحمد", "01012345678"),
        form={
            "applicant_capacity": "owner",
            "parcel_reference": "ZTN/1",
            "site_address": "شارع ١",
            "floors": "3",
            "height_m": "9",
            "built_area": "120",
            "building_use": "residential",
            "estimated_cost": "900000",
        },
        documents=[DocumentUpload("national_id_copy", _pdf("id"), "pdf")],
        at=AT,
    )
    return engine, request


def test_the_receipt_codes_give_the_status_and_expected_date(engine_and_request: tuple[Engine, Request]) -> None:
    engine, request = engine_and_request
    reply = answer_sms_inquiry(engine, f"{request.id} {request.access_code}")
    assert reply.en == f"Request {request.id}: Document check. Expected by {request.due_date.isoformat()}"
    assert "مراجعة المستندات" in reply.ar and to_eastern_digits(request.due_date.isoformat()) in reply.ar


def test_codes_typed_on_an_arabic_phone_are_understood(engine_and_request: tuple[Engine, Request]) -> None:
    engine, request = engine_and_request
    typed = to_eastern_digits(f"  {request.id.lower()}   {request.access_code.lower()} ")
    assert answer_sms_inquiry(engine, typed).en.startswith(f"Request {request.id}:")


def test_a_wrong_code_looks_like_an_unknown_number(engine_and_request: tuple[Engine, Request]) -> None:
    engine, request = engine_and_request
    assert answer_sms_inquiry(engine, f"{request.id} 0000000000") == NOT_FOUND
    assert answer_sms_inquiry(engine, "CZTN-2600999-0 0000000000") == NOT_FOUND


@settings(max_examples=150, deadline=None)
@given(message=st.text(max_size=300))
def test_any_message_gets_a_reply_never_an_exception(engine_and_request: tuple[Engine, Request], message: str) -> None:
    engine, request = engine_and_request
    reply = answer_sms_inquiry(engine, message)
    assert reply == NOT_FOUND or request.access_code.lower() in message.lower()
