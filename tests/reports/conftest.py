"""The reports under test, over a database the real engine wrote: SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from localgov.calendar import egypt_calendar
from localgov.reports import Reports
from localgov.requests import Engine
from localgov.requests.model import Request
from tests.reports.week import AS_OF, WEEK_STAFF, play_week
from tests.requests.support import cairo, open_engine


@pytest.fixture
def week_engine(store_url: str) -> Iterator[Engine]:
    engine = open_engine(store_url, staff=WEEK_STAFF)
    yield engine
    engine.store.close()  # type: ignore[attr-defined]


@pytest.fixture
def week(week_engine: Engine) -> dict[str, Request]:
    return play_week(week_engine)


def reports_over(engine: Engine, **options: Any) -> Reports:
    """Reports over ``engine``'s database as of the week's end (``clock``, ``max_age``... overridable)."""
    app = cairo()
    return Reports(
        engine.store.engine,  # type: ignore[attr-defined]
        catalogue=app.catalogue,
        organisation=app.organisation,
        calendar=egypt_calendar(),
        **{"clock": lambda: AS_OF, **options},
    )


@pytest.fixture
def reports(week_engine: Engine, week: dict[str, Request]) -> Reports:
    return reports_over(week_engine)
