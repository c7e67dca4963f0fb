"""The stored form of a request: what is written reads back equal, and so do older records."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson
import pytest
import sqlalchemy as sa

from localgov.requests import Engine, UnreadableRecord
from localgov.requests.codec import (
    RECORD_FORMAT,
    RecordCodec,
    StoredRecord,
    request_from_data,
    request_to_data,
)
from localgov.storage import schema
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


def test_a_record_names_its_format_first(engine: Engine) -> None:
    record = request_to_data(submit_building_permit(engine))
    assert record.json.startswith(f'{{"format":{RECORD_FORMAT},')
    assert record["format"] == RECORD_FORMAT


def test_a_record_without_a_format_is_format_1(engine: Engine) -> None:
    request = submit_building_permit(engine)
    legacy = orjson.loads(request_to_data(request).json)
    del legacy["format"]  # as every record before the format was written
    assert request_from_data(StoredRecord(orjson.dumps(legacy).decode())) == request
    assert request_from_data(legacy) == request


def _rename_applicant_to_citizen(record: dict[str, Any]) -> dict[str, Any]:
    record = dict(record)
    record["citizen"] = record.pop("applicant")
    return record


def _citizen_back_to_applicant(record: dict[str, Any]) -> dict[str, Any]:
    record = dict(record)
    record["applicant"] = record.pop("citizen")
    return record


def test_older_records_are_upgraded_step_by_step_as_they_are_read(engine: Engine) -> None:
    # A release whose format 2 renamed a field and whose format 3 renamed it back: a format-1
    # record must pass through both steps, in order, to read as the model.
    request = submit_building_permit(engine)
    codec = RecordCodec(3, {1: _rename_applicant_to_citizen, 2: _citizen_back_to_applicant})
    format_1 = request_to_data(request)
    assert codec.decode(format_1) == request
    assert codec.upgrade(orjson.loads(format_1.json))["format"] == 3
    written = codec.encode(request)
    assert written.json.startswith('{"format":3,') and codec.decode(written) == request


def test_a_record_from_a_newer_release_is_refused_by_name(engine: Engine) -> None:
    request = submit_building_permit(engine)
    newer = orjson.loads(request_to_data(request).json)
    newer["format"] = RECORD_FORMAT + 1
    with pytest.raises(UnreadableRecord) as refused:
        request_from_data(StoredRecord(orjson.dumps(newer).decode()))
    assert request.id in str(refused.value)
    assert f"format {RECORD_FORMAT + 1}, newer than the {RECORD_FORMAT}" in str(refused.value)


@pytest.mark.parametrize("format_value", [0, -1, "2", None, 1.5])
def test_a_record_whose_format_is_not_a_format_number_is_refused(engine: Engine, format_value: object) -> None:
    record = orjson.loads(request_to_data(submit_building_permit(engine)).json)
    record["format"] = format_value
    with pytest.raises(UnreadableRecord, match="is not a format number"):
        request_from_data(record)


def test_a_codec_without_a_step_for_each_older_format_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="no upgrade step from record format 2 to 3"):
        RecordCodec(3, {1: _rename_applicant_to_citizen})


def test_the_engine_refuses_a_stored_record_it_cannot_read(engine: Engine) -> None:
    request = submit_building_permit(engine)
    database = engine.store.engine  # type: ignore[attr-defined]
    with database.begin() as connection:  # a newer release wrote this record
        record = orjson.loads(request_to_data(request).json)
        record["format"] = 99
        connection.execute(sa.update(schema.requests).where(schema.requests.c.id == request.id).values(data=record))
    with pytest.raises(UnreadableRecord, match=request.id):
        engine.get(request.id)
