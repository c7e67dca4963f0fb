"""The page behind the receipt QR, through a real uvicorn server: what it shows, and to whom."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from localgov_fawry import FawrySimulator
from localgov_fawry.demo import start_fawry_payment

from localgov.requests import Engine
from localgov.testing.web import serve
from tests.requests.support import APPLICANT, APPLICANT_ID, CHECKER, open_engine, submit_building_permit
from tests.web.support import MISSING, app_over, awaiting_payment, waiting_on_applicant


@pytest.fixture
def engine() -> Engine:
    return open_engine("sqlite://")


@pytest.fixture
def client(engine: Engine) -> Iterator[httpx.Client]:
    with serve(app_over(engine, access_code_tries=5)) as url, httpx.Client(base_url=url) as client:
        yield client


def test_the_status_in_arabic_first_with_english(engine: Engine, client: httpx.Client) -> None:
    request = submit_building_permit(engine)
    page = client.get(f"/track/{request.id}", params={"c": request.access_code})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert '<html lang="ar" dir="rtl">' in html
    assert "استخراج رخصة بناء" in html and "Building permit" in html
    assert "مراجعة المستندات" in html and "Document check" in html  # the current step
    assert "Engineering department" in html  # who holds it: the department
    due = request.due_date
    assert f"{due.day} {due.strftime('%B')} {due.year}" in html  # the expected date, in English
    assert str(due.year).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")) in html  # and Eastern digits
    # Nothing personal and no employee: blind to who asked, silent about who decides.
    assert APPLICANT_ID not in html and APPLICANT.name not in html and CHECKER.id not in html
    assert "<script" not in html  # works without JavaScript
    assert page.headers["cache-control"] == "no-store"
    assert "script-src 'self'" in page.headers["content-security-policy"]


def test_what_the_applicant_must_still_supply(engine: Engine, client: httpx.Client) -> None:
    request = waiting_on_applicant(engine)
    html = client.get(f"/track/{request.id}", params={"c": request.access_code}).text
    assert MISSING in html and "Waiting on the applicant" in html and "You must supply" in html


def test_fees_due_and_the_reference_to_pay_them(engine: Engine, client: httpx.Client) -> None:
    request = awaiting_payment(engine)
    with FawrySimulator("DEMO+MERCHANT=", "demo-secure-key", clock=engine.now) as fawry:
        created = start_fawry_payment(engine, request, fawry)
    html = client.get(f"/track/{request.id}", params={"c": request.access_code}).text
    assert request.invoice is not None
    assert f"EGP {request.invoice.total:,.2f}" in html
    assert created.reference_number is not None and created.reference_number in html
    assert "فوري" in html or "Fawry" in html


def test_without_the_right_code_nothing_is_shown(engine: Engine, client: httpx.Client) -> None:
    request = submit_building_permit(engine)
    form = client.get(f"/track/{request.id}")
    assert form.status_code == 200 and 'name="c"' in form.text and "Building permit" not in form.text

    wrong = client.get(f"/track/{request.id}", params={"c": "ABCDE12345"})
    unknown_number = request.id.replace("2600001", "2600999")
    unknown = client.get(f"/track/{unknown_number}", params={"c": "ABCDE12345"})
    assert wrong.status_code == unknown.status_code == 404
    assert "Building permit" not in wrong.text and "مراجعة" not in wrong.text
    # The two refusals differ only by the number echoed in the form.
    assert wrong.text.replace(request.id, "N") == unknown.text.replace(unknown_number, "N")


def test_the_form_takes_number_and_code_typed_loosely(engine: Engine, client: httpx.Client) -> None:
    request = submit_building_permit(engine)
    code = request.access_code
    typed = f"{code[:5].lower()}-{code[5:]}"
    page = client.get("/track", params={"n": request.id.lower(), "c": typed})
    assert page.status_code == 200 and "Building permit" in page.text


def test_too_many_wrong_codes_stop_the_answers(engine: Engine, client: httpx.Client) -> None:
    request = submit_building_permit(engine)
    for _ in range(5):
        assert client.get(f"/track/{request.id}", params={"c": "ABCDE12345"}).status_code == 404
    blocked = client.get(f"/track/{request.id}", params={"c": request.access_code})
    assert blocked.status_code == 429 and "Building permit" not in blocked.text  # even the right code, now


@settings(max_examples=60, deadline=None)
@given(
    number=st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=80),
    code=st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=80),
)
def test_any_number_and_code_get_a_page_never_an_error(number: str, code: str) -> None:
    from litestar.testing import TestClient

    engine = _shared_engine()
    with TestClient(app_over(engine, access_code_tries=10_000).app) as client:
        response = client.get("/track", params={"n": number, "c": code})
    assert response.status_code in (200, 404)
    assert "Traceback" not in response.text and re.search(r"<html lang=\"ar\"", response.text)


_ENGINE: list[Engine] = []


def _shared_engine() -> Engine:
    if not _ENGINE:
        _ENGINE.append(open_engine("sqlite://"))
    return _ENGINE[0]


@pytest.mark.parametrize("shared", [True, False])
def test_workers_share_the_count_of_wrong_codes_when_told_to(store_url: str, shared: bool) -> None:
    """Two workers over one database, the guesses alternating between them: with shared limits the
    fourth wrong code blocks the address at both; counted in each worker's memory, neither has
    seen four."""
    first, second = open_engine(store_url), open_engine(store_url)
    request = submit_building_permit(first)
    settings = {"access_code_tries": 4, "shared_limits": shared}
    try:
        with serve(app_over(first, **settings)) as one, serve(app_over(second, **settings)) as other:
            for attempt in range(4):
                worker = (one, other)[attempt % 2]
                assert httpx.get(f"{worker}/track/{request.id}", params={"c": "ABCDE12345"}).status_code == 404
            answers = {
                httpx.get(f"{w}/track/{request.id}", params={"c": request.access_code}).status_code
                for w in (one, other)
            }
    finally:
        for engine in (first, second):
            engine.store.close()  # type: ignore[attr-defined]
    assert answers == ({429} if shared else {200})
