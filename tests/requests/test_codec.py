"""The stored form of a request: what is written reads back equal, and so do older records."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from pathlib import Path

import orjson

from localgov.requests.codec import request_from_data, request_to_data
from localgov.requests.engine import Engine
from tests.requests.support import submit_building_permit
from tests.requests.test_refusals import to_state

RECORDS = Path(__file__).parent / "records"


def test_a_record_reads_back_equal_after_json(engine: Engine) -> None:
    request = to_state(engine, "issuing")
    assert request.invoice is not None and request.payments
    stored = orjson.loads(orjson.dumps(request_to_data(request)))
    assert request_from_data(stored) == request
    assert isinstance(request_from_data(stored).payments[0].amount, Decimal)


def test_a_record_written_before_msgspec_still_reads() -> None:
    # Written by the cattrs converter of the first releases: lists for tuples, "+00:00" times.
    data = json.loads((RECORDS / "cattrs-era-record.json").read_text(encoding="utf-8"))
    request = request_from_data(data)
    assert request.submitted_at.tzinfo is not None
    assert request.submitted_at == datetime.datetime.fromisoformat(data["submitted_at"])
    assert [d.type for d in request.documents][:2] == ["national_id_copy", "ownership_proof"]
    assert request.invoice is not None and request.invoice.lines[0].name.ar.startswith("رسم")
    assert request.duties["review"] == ("doc1", "eng1")
    assert request.balance_due() == Decimal("0.00")
    assert request_from_data(orjson.loads(orjson.dumps(request_to_data(request)))) == request


def test_a_fresh_submission_round_trips(engine: Engine) -> None:
    request = submit_building_permit(engine)
    assert request_from_data(request_to_data(request)) == request
