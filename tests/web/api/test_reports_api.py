"""``/api/v1/reports/{name}``: the week's figures over HTTP, behind staff API keys and the supervisor rule."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from localgov.testing.web import serve
from localgov.web import WebSettings, create_app
from tests.reports.week import AS_OF, ENGINEER, WEEK_STAFF, play_week
from tests.requests.support import APPROVER, cairo, open_engine
from tests.web.api.support import DIGESTS, as_staff

WEEK = {"from": "2026-04-12", "to": "2026-04-16"}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    folder: Path = tmp_path_factory.mktemp("reports-api")
    engine = open_engine(f"sqlite:///{folder / 'lg.db'}", staff=WEEK_STAFF, clock=lambda: AS_OF)
    play_week(engine)
    app = create_app(cairo(), engine, WebSettings(api_keys=DIGESTS))
    with serve(app) as base_url, httpx.Client(base_url=base_url, timeout=30) as client:
        yield client
    engine.store.close()  # type: ignore[attr-defined]


def test_volume_for_any_employee(client: httpx.Client) -> None:
    response = client.get("/api/v1/reports/volume", params={**WEEK, "unit": "zeitoun"}, headers=as_staff(ENGINEER))
    assert response.status_code == 200, response.text
    data = response.json()
    assert (data["period"], data["filters"], data["as_of"]) == (WEEK, {"unit": "zeitoun"}, AS_OF.isoformat())
    (total,) = data["tables"][0]["rows"]
    assert (total["received"], total["completed"], total["in_progress"]) == (4, 1, 2)


def test_time_limits_by_channel(client: httpx.Client) -> None:
    response = client.get("/api/v1/reports/time-limits", params={**WEEK, "by": "channel"}, headers=as_staff(APPROVER))
    rows = {row["group"]: row for row in response.json()["tables"][0]["rows"]}
    assert (rows["front_desk"]["taken_median"], rows["Total"]["overdue_now"]) == (2, 1)


def test_employee_figures_go_to_the_supervisor_only(client: httpx.Client) -> None:
    allowed = client.get("/api/v1/reports/employees", params=WEEK, headers=as_staff(APPROVER))
    assert allowed.status_code == 200
    assert {row["employee"] for row in allowed.json()["tables"][0]["rows"]} >= {"doc1", "head1"}
    refused = client.get("/api/v1/reports/employees", params=WEEK, headers=as_staff(ENGINEER))
    assert refused.status_code == 403
    assert refused.json()["type"] == "urn:localgov:problem:report-not-permitted"


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        ("/api/v1/reports/volume", {"unit": "atlantis"}, 400),
        ("/api/v1/reports/volume", {"from": "2026-04-16", "to": "2026-04-12"}, 400),
        ("/api/v1/reports/volume", {"from": "16/04/2026"}, 400),
        ("/api/v1/reports/weather", {}, 404),
    ],
)
def test_bad_questions_are_problems(client: httpx.Client, path: str, params: dict[str, str], status: int) -> None:
    response = client.get(path, params=params, headers=as_staff(APPROVER))
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")


def test_reports_need_an_api_key(client: httpx.Client) -> None:
    assert client.get("/api/v1/reports/volume", params=WEEK).status_code == 401
