"""The citizen's status answers kept in memory: sent again only while the request is unchanged,
and never to anyone the application would not have answered."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from localgov_fawry import FawrySimulator
from localgov_fawry.demo import start_fawry_payment

from localgov.payments import PaymentStatus
from localgov.requests import Engine
from localgov.testing.web import serve
from localgov.web import context_of
from localgov.web.status_cache import StatusCache
from tests.requests.support import CHECKER, open_engine, submit_building_permit
from tests.web.api.support import DIGESTS, as_staff
from tests.web.support import app_over, awaiting_payment


class _Counting:
    """The application behind the cache, counting the reads that reach it."""

    def __init__(self, app: Any) -> None:
        self.app, self.calls = app, 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.calls += scope["type"] == "http"
        await self.app(scope, receive, send)


def _counted(app: Any) -> _Counting:
    layer = app
    while not isinstance(layer, StatusCache):
        layer = layer.app
    layer.app = counting = _Counting(layer.app)
    return counting


@pytest.fixture
def engine(store_url: str) -> Iterator[Engine]:
    engine = open_engine(store_url)
    yield engine
    engine.store.close()  # type: ignore[attr-defined]


def _reads(number: str, code: str) -> list[tuple[str, dict[str, str]]]:
    return [
        (f"/track/{number}", {"c": code}),
        (f"/api/v1/requests/{number}/status", {"access_code": code}),
        (f"/open311/v2/requests/{number}.json", {"access_code": code}),
    ]


def _fixed_headers(answer: httpx.Response) -> dict[str, str]:
    return {name: value for name, value in answer.headers.items() if name not in {"date", "ratelimit-remaining"}}


def test_an_answer_is_sent_again_until_its_request_changes(engine: Engine) -> None:
    request = submit_building_permit(engine)
    app = app_over(engine)
    behind = _counted(app)
    with serve(app) as url, httpx.Client(base_url=url) as client:
        first = [client.get(path, params=query) for path, query in _reads(request.id, request.access_code)]
        again = [client.get(path, params=query) for path, query in _reads(request.id, request.access_code)]
        assert behind.calls == 3, "the second round came from memory"
        assert [a.content for a in again] == [f.content for f in first]
        assert [_fixed_headers(a) for a in again] == [_fixed_headers(f) for f in first]
        assert "Technical review" not in first[0].text

        engine.act(request.id, "accept_documents", CHECKER)
        moved = [client.get(path, params=query) for path, query in _reads(request.id, request.access_code)]
    assert behind.calls == 6, "the request changed: every read was made afresh"
    assert 'aria-current="step"' in moved[0].text and "Technical review" in moved[0].text
    assert (moved[1].json()["step"], first[1].json()["step"]) == ("technical_review", "document_check")


def test_a_payment_order_made_or_expired_is_seen_at_once(engine: Engine) -> None:
    request = awaiting_payment(engine)
    app = app_over(engine)
    context = context_of(app)
    with serve(app) as url, httpx.Client(base_url=url) as client:
        page = f"/track/{request.id}"
        before = client.get(page, params={"c": request.access_code}).text
        with FawrySimulator("DEMO+MERCHANT=", "demo-secure-key", clock=engine.now) as fawry:
            created = start_fawry_payment(engine, request, fawry)
        assert created.reference_number is not None and created.reference_number not in before
        assert created.reference_number in client.get(page, params={"c": request.access_code}).text
        # The order expires in the ledger alone: the request itself does not change.
        version = engine.get(request.id).version
        context.ledger.update_order(created.merchant_ref, engine.now(), status=PaymentStatus.EXPIRED)
        after = client.get(page, params={"c": request.access_code}).text
    assert engine.get(request.id).version == version
    assert created.reference_number not in after


def test_a_wrong_code_is_never_answered_from_memory_and_still_counts() -> None:
    engine = open_engine("sqlite://")
    request = submit_building_permit(engine)
    app = app_over(engine, access_code_tries=3)
    behind = _counted(app)
    page = f"/track/{request.id}"
    with serve(app) as url, httpx.Client(base_url=url) as client:
        assert client.get(page, params={"c": request.access_code}).status_code == 200
        assert client.get(page, params={"c": request.access_code}).status_code == 200
        assert behind.calls == 1
        wrong = [client.get(page, params={"c": "WRONG1"}).status_code for _ in range(3)]
        out_of_tries = client.get(page, params={"c": request.access_code})
    assert wrong == [404, 404, 404]
    # The right code's answer is kept, but a client out of tries is refused as before.
    assert out_of_tries.status_code == 429 and "Building permit" not in out_of_tries.text
    assert behind.calls == 5


def test_a_staff_members_read_always_reaches_the_application() -> None:
    engine = open_engine("sqlite://")
    request = submit_building_permit(engine)
    app = app_over(engine, api_keys=DIGESTS)
    behind = _counted(app)
    with serve(app) as url, httpx.Client(base_url=url) as client:
        answers = [client.get(f"/open311/v2/requests/{request.id}.json", headers=as_staff(CHECKER)) for _ in range(3)]
    assert [a.status_code for a in answers] == [200] * 3
    assert behind.calls == 3


def test_nothing_is_kept_when_the_setting_is_zero() -> None:
    engine = open_engine("sqlite://")
    app = app_over(engine, status_answers_kept=0)
    layer = app
    while hasattr(layer, "app"):
        assert not isinstance(layer, StatusCache)
        layer = layer.app


# -- The same answers with and without the cache, whatever is asked ---------------------------------

_ENGINE = open_engine("sqlite://")
_REQUESTS = [submit_building_permit(_ENGINE) for _ in range(2)]


@pytest.fixture(scope="module")
def kept_and_not() -> Iterator[tuple[httpx.Client, httpx.Client]]:
    with (
        serve(app_over(_ENGINE, access_code_tries=10_000)) as kept,
        serve(app_over(_ENGINE, access_code_tries=10_000, status_answers_kept=0)) as unkept,
        httpx.Client(base_url=kept) as with_cache,
        httpx.Client(base_url=unkept) as without,
    ):
        yield with_cache, without


_NUMBERS = st.one_of(
    st.sampled_from([r.id for r in _REQUESTS]),
    st.sampled_from([r.id.lower() for r in _REQUESTS]),  # typed in lower case: the same request
    st.text(alphabet="CZTN-0123456789ab.", min_size=1, max_size=20),
)
_CODES = st.one_of(st.sampled_from([r.access_code for r in _REQUESTS]), st.text(max_size=12))
_ROUTES = st.sampled_from(
    [
        ("/track/{n}", "c"),
        ("/api/v1/requests/{n}/status", "access_code"),
        ("/open311/v2/requests/{n}.json", "access_code"),
        ("/open311/v2/requests/{n}.xml", "access_code"),
    ]
)
_STEP = st.one_of(
    st.tuples(st.just("read"), _ROUTES, _NUMBERS, _CODES, st.booleans()),
    st.tuples(st.just("act"), st.sampled_from(range(len(_REQUESTS)))),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(_STEP, min_size=1, max_size=12))
def test_with_or_without_the_cache_every_answer_is_the_same(
    kept_and_not: tuple[httpx.Client, httpx.Client], steps: list[tuple[Any, ...]]
) -> None:
    with_cache, without = kept_and_not
    for step in steps:
        if step[0] == "act":
            request = _ENGINE.get(_REQUESTS[step[1]].id)
            if "accept_documents" in [action.code for action in _ENGINE.allowed_actions(request, CHECKER)]:
                _ENGINE.act(request.id, "accept_documents", CHECKER)
            continue
        _, (path, parameter), number, code, in_header = step
        target = path.format(n=number)
        in_header = in_header and parameter == "access_code" and code.isascii() and code.isprintable()
        query, headers = ({}, {"X-Access-Code": code}) if in_header else ({parameter: code}, {})
        answers = [client.get(target, params=query, headers=headers) for client in (with_cache, without)]
        assert answers[0].status_code == answers[1].status_code, (target, code)
        assert answers[0].content == answers[1].content, (target, code)
