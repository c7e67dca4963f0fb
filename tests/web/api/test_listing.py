"""Open311 listing through the server: GeoReport's filters and dates, and pages by Link header."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import httpx

from localgov.requests import Engine
from tests.requests.support import CHECKER, submit_building_permit
from tests.web.api.support import as_staff

LIST = "/open311/v2/requests.json"


def _submitted(engine: Engine, *ages: datetime.timedelta) -> list[str]:
    now = engine.now()
    return [submit_building_permit(engine, at=now - age).id for age in ages]


def _every_page(client: httpx.Client, url: str) -> tuple[list[str], int]:
    listed: list[str] = []
    pages = 0
    while url:
        answer = client.get(url, headers=as_staff(CHECKER))
        assert answer.status_code == 200, answer.text
        listed += [entry["service_request_id"] for entry in answer.json()]
        pages += 1
        url = answer.links.get("next", {}).get("url", "")
    return listed, pages


def test_pages_follow_the_link_header_newest_first_each_request_once(engine: Engine, client: httpx.Client) -> None:
    numbers = _submitted(engine, *(datetime.timedelta(minutes=minutes) for minutes in (5, 1, 4, 2, 3)))
    listed, pages = _every_page(client, f"{LIST}?page_size=2&lang=en")
    newest_first = [numbers[i] for i in (1, 3, 4, 2, 0)]
    assert listed == newest_first
    assert pages == 3
    # The next page's link keeps the client's own filters.
    first = client.get(f"{LIST}?page_size=2&lang=en&status=open", headers=as_staff(CHECKER))
    following = parse_qs(urlsplit(first.links["next"]["url"]).query)
    assert following["lang"] == ["en"] and following["status"] == ["open"] and following["page_size"] == ["2"]


def test_the_default_window_is_the_past_ninety_days(engine: Engine, client: httpx.Client) -> None:
    recent, old = _submitted(engine, datetime.timedelta(days=1), datetime.timedelta(days=120))
    assert _every_page(client, LIST)[0] == [recent]
    start = (engine.now() - datetime.timedelta(days=200)).isoformat()
    assert _every_page(client, f"{LIST}?{httpx.QueryParams(start_date=start)}")[0] == [recent, old]
    end = (engine.now() - datetime.timedelta(days=100)).date().isoformat()  # a date without offset
    assert _every_page(client, f"{LIST}?{httpx.QueryParams(start_date=start, end_date=end)}")[0] == [old]


def test_status_and_service_filters_are_applied_before_paging(engine: Engine, client: httpx.Client) -> None:
    _submitted(engine, *(datetime.timedelta(minutes=m) for m in range(1, 4)))
    assert _every_page(client, f"{LIST}?status=closed&page_size=1")[0] == []
    assert len(_every_page(client, f"{LIST}?status=open&page_size=1")[0]) == 3
    assert _every_page(client, f"{LIST}?service_code=shop_renewal")[0] == []


def test_bad_dates_and_cursors_are_problems_naming_the_parameter(client: httpx.Client) -> None:
    for query, field in (
        ("start_date=yesterday", "start_date"),
        ("end_date=2026-13-01", "end_date"),
        ("start_date=2026-12-02&end_date=2026-12-01", "start_date"),
        ("page=not-a-cursor", "page"),
        ("page=WyJhIiwxXQ", "page"),  # ["a",1]: valid base64 and JSON, not a position
    ):
        answer = client.get(f"{LIST}?{query}", headers=as_staff(CHECKER))
        assert answer.status_code == 400, (query, answer.text)
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert [error["name"] for error in answer.json()["errors"]] == [field], query
    too_big = client.get(f"{LIST}?page_size=1001", headers=as_staff(CHECKER))
    assert too_big.status_code == 400


def test_services_by_jurisdiction_are_the_governorate_s_own_view(serve_api: Callable[..., str]) -> None:
    """Open311's jurisdiction_id names a governorate this deployment serves: its own view."""
    with httpx.Client(base_url=serve_api()) as client:
        everything = {s["service_code"] for s in client.get("/open311/v2/services.json").json()}
        cairo = {s["service_code"] for s in client.get("/open311/v2/services.json?jurisdiction_id=C").json()}
        giza = client.get("/open311/v2/services.json?jurisdiction_id=GZ")  # a governorate, not served here
        shops = client.get("/open311/v2/services/shop_licence.json?jurisdiction_id=C")
        shops_in_giza = client.get("/open311/v2/services/shop_licence.xml?jurisdiction_id=GZ")
    assert "shop_licence" in cairo and cairo == everything  # this deployment's plugins: Cairo's
    assert giza.status_code == 400 and giza.json()["errors"][0]["name"] == "jurisdiction_id"
    assert "(C)" in giza.json()["errors"][0]["reason"]
    assert shops.status_code == 200 and shops_in_giza.status_code == 400
