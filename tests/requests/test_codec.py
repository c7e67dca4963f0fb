"""The stored form of a request: what is written reads back equal, and so do older records."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from pathlib import Path

import orjson

from localgov.requests import Engine
from localgov.requests.codec import StoredRecord, request_from_data, request_to_data
from tests.requests.support import submit_building_permit
from tests.requests.test_refusals import to_state

RECORDS = Path(__file__).parent / "records"


def test_a_record_reads_back_equal_after_json(engine: Engine) -> None:
    request = to_state(engine, "issuing")
    assert request.invoice is not None and request.payments
    record = request_to_data(request)
    assert request_from_data(record) == request  # straight from the JSON text
    assert request_from_data(orjson.loads(record.json)) == request  # from the mapping Core reads
    assert isinstance(request_from_data(record).payments[0].amount, Decimal)
    # Read as a mapping, the record is the JSON it holds (verify_chain reads it this way).
    assert record["version"] == request.version and dict(record) == orjson.loads(record.json)


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
    assert request_from_data(StoredRecord(json.dumps(data))) == request
    assert request_from_data(request_to_data(request)) == request


def test_a_fresh_submission_round_trips(engine: Engine) -> None:
    request = submit_building_permit(engine)
    assert request_from_data(request_to_data(request)) == request
