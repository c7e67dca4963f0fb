"""The stored record is bound to its history: an insider's edit is refused by the engine and named by the audit."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import attrs
import orjson
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from localgov.requests import Engine, TamperedRecord
from localgov.requests.codec import RecordCodec, StoredRecord
from localgov.requests.ports import EventRow
from localgov.requests.replay import record_differences
from localgov.storage import schema
from tests.requests.support import CHECKER, submit_building_permit
from tests.requests.test_refusals import to_state

REQUESTS = schema.requests
KEY = b"an audit key kept outside the database"


def stored_text(engine: Engine, request_id: str) -> str:
    with engine.store.engine.connect() as connection:  # type: ignore[attr-defined]
        return str(
            connection.execute(
                sa.select(sa.cast(REQUESTS.c.data, sa.Text)).where(REQUESTS.c.id == request_id)
            ).scalar_one()
        )


def write_text(engine: Engine, request_id: str, text: str) -> None:
    """What an insider with write access to the database does: rewrite the record's JSON."""
    with engine.store.engine.begin() as connection:  # type: ignore[attr-defined]
        connection.execute(sa.update(REQUESTS).where(REQUESTS.c.id == request_id).values(data=orjson.loads(text)))


def edit_record(engine: Engine, request_id: str, change: Callable[[dict[str, Any]], None]) -> None:
    """Change a field of the record, keeping its seal and everything else as it is."""
    _format, seal, body = RecordCodec.split(stored_text(engine, request_id))
    record = orjson.loads(body)
    change(record)
    write_text(engine, request_id, f'{{"format":1,"seal":"{seal}",' + orjson.dumps(record).decode()[1:])


@pytest.fixture
def keyed(make_engine: Callable[..., Engine]) -> Engine:
    return make_engine(audit_key=KEY)


def test_a_fresh_record_is_sealed_and_audits_clean(keyed: Engine) -> None:
    request = to_state(keyed, "issuing")
    assert RecordCodec.split(stored_text(keyed, request.id))[1] is not None
    assert keyed.verify_history(request.id) == []
    assert keyed.get(request.id) == request


def test_the_applicants_national_id_edited_is_named_and_refused(keyed: Engine) -> None:
    request = submit_building_permit(keyed)
    genuine = request.applicant.national_id
    edit_record(keyed, request.id, lambda r: r["applicant"].__setitem__("national_id", "29001010100011"))
    findings = keyed.verify_history(request.id)
    assert "the stored record does not match its seal: changed outside localgov" in findings
    assert f"the record's applicant.national_id is '29001010100011' but its history says '{genuine}'" in findings
    assert request.id in keyed.audit()
    with pytest.raises(TamperedRecord, match=f"request {request.id}: its stored record does not match its seal"):
        keyed.get(request.id)


def test_a_refund_edited_or_removed_in_the_record_is_named(keyed: Engine) -> None:
    request = to_state(keyed, "awaiting_payment")
    assert request.invoice is not None
    keyed.record_payment(request.id, amount=request.invoice.total, provider="counter", reference="C-1")
    keyed.record_refund(
        request.id, amount="50.00", provider="counter", reference="C-1", by="fee1", reason="overcharged"
    )
    assert keyed.verify_history(request.id) == []
    edit_record(keyed, request.id, lambda r: r["refunds"][0].__setitem__("amount", "1.00"))
    assert "the record's refunds[0].amount is '1.00' but its history says '50.00'" in keyed.verify_history(request.id)
    edit_record(keyed, request.id, lambda r: r.__setitem__("refunds", []))
    assert "the record's refunds.count is 0 but its history says 1" in keyed.verify_history(request.id)


def test_a_fee_edited_is_named_and_nothing_is_written_when_acting_on_it(keyed: Engine) -> None:
    request = to_state(keyed, "awaiting_payment")
    assert request.invoice is not None
    before = stored_text(keyed, request.id)
    edit_record(keyed, request.id, lambda r: r["invoice"]["lines"][-1].__setitem__("amount", "1.00"))
    edited = stored_text(keyed, request.id)
    findings = keyed.verify_history(request.id)
    last = len(request.invoice.lines) - 1
    assert any(
        f.startswith(f"the record's invoice.lines[{last}].amount is '1.00' but its history says") for f in findings
    )
    assert any(f.startswith("the record's invoice.total is") for f in findings)
    with pytest.raises(TamperedRecord):
        keyed.record_payment(request.id, amount=request.invoice.total, provider="fawry", reference="9001")
    assert stored_text(keyed, request.id) == edited != before  # the refusal wrote nothing
    assert len(keyed.history(request.id)) == request.event_count


def test_a_record_stripped_of_its_seal_is_refused(keyed: Engine) -> None:
    request = submit_building_permit(keyed)
    _format, _seal, body = RecordCodec.split(stored_text(keyed, request.id))
    write_text(keyed, request.id, body)
    with pytest.raises(TamperedRecord, match="carries no seal"):
        keyed.act(request.id, "accept_documents", CHECKER)
    assert any("carries no seal" in f for f in keyed.verify_history(request.id))


def test_a_genuine_record_copied_over_another_request_is_refused(keyed: Engine) -> None:
    first, second = submit_building_permit(keyed), submit_building_permit(keyed)
    write_text(keyed, second.id, stored_text(keyed, first.id))
    with pytest.raises(TamperedRecord, match=f"is that of request {first.id}"):
        keyed.get(second.id)
    assert any("(moved)" in f for f in keyed.verify_history(second.id))


def test_a_record_resealed_without_the_key_is_refused(make_engine: Callable[..., Engine]) -> None:
    keyed = make_engine(audit_key=KEY)
    request = submit_building_permit(keyed)
    forger = make_engine(audit_key=b"")  # knows the algorithm, not the key
    current = keyed.get(request.id)
    edited = attrs.evolve(current, applicant=attrs.evolve(current.applicant, name="someone else"))
    forged = forger._context.records.encode(edited)  # type: ignore[attr-defined]  # a seal, under the wrong key
    assert forger._context.records.read(attrs.evolve(keyed.store.get_request(request.id), data=forged)) == edited  # type: ignore[attr-defined, union-attr]
    write_text(keyed, request.id, forged.json)
    with pytest.raises(TamperedRecord, match="does not match its seal"):
        keyed.get(request.id)


def test_a_replaced_or_deleted_document_is_named(keyed: Engine) -> None:
    request = submit_building_permit(keyed)
    first, second = request.documents[0], request.documents[1]
    with keyed.store.engine.begin() as connection:  # type: ignore[attr-defined]
        documents = schema.documents
        connection.execute(sa.update(documents).where(documents.c.sha256 == first.sha256).values(content=b"forged"))
        connection.execute(sa.delete(documents).where(documents.c.sha256 == second.sha256))
    findings = keyed.verify_history(request.id)
    assert (
        f"document {first.type}: the stored bytes do not have the SHA-256 {first.sha256} it was attached with (replaced)"
        in findings
    )
    assert f"document {second.type} ({second.sha256}) is missing from the document store (deleted)" in findings
    assert hashlib.sha256(b"forged").hexdigest() != first.sha256


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(field=st.sampled_from(["applicant", "form", "documents", "invoice", "payments", "issued", "state"]), value=JSON)
def test_any_shape_written_into_a_record_is_a_finding_never_a_crash(field: str, value: Any) -> None:
    events = [
        EventRow(
            "R",
            1,
            "2026-01-01T00:00:00+00:00",
            "c",
            "clerk",
            "submit",
            None,
            "document_check",
            {"applicant": {"national_id": "1"}, "form": {}, "documents": []},
            "p",
            "h",
        ),
    ]
    record = {"applicant": {"national_id": "1"}, "form": {}, "documents": [], "state": "document_check", field: value}
    findings = record_differences(record, events)
    assert all(isinstance(f, str) for f in findings)
    if field == "applicant" and (not isinstance(value, dict) or value.get("national_id") != "1"):
        assert findings  # the national ID the history names is not in the record


def test_a_record_read_as_parsed_json_is_checked_the_same(keyed: Engine) -> None:
    request = submit_building_permit(keyed)
    text = stored_text(keyed, request.id)
    parsed = orjson.loads(text)
    records = keyed._context.records  # type: ignore[attr-defined]
    row = keyed.store.get_request(request.id)
    assert row is not None and isinstance(row.data, StoredRecord)
    assert records.read(row) == request
    assert records.read(attrs.evolve(row, data=parsed)) == request  # a store that hands back parsed JSON
    parsed["applicant"]["national_id"] = "29001010100011"
    with pytest.raises(TamperedRecord):
        records.read(attrs.evolve(row, data=parsed))
