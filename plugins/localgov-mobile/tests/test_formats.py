"""Property tests for the parsers of what travels: submissions, sync requests and answers.

Everything a parser is given may come from a stolen tablet or a broken network: any bytes are
either read into the value they encode or refused with :class:`WireError`, never anything else.
"""

from __future__ import annotations

import datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from localgov_mobile import (
    Outcome,
    Photo,
    Submission,
    SyncAnswer,
    SyncRequest,
    WireError,
    read_answer,
    read_request,
    read_submission,
)
from localgov_mobile.exchange import OUTCOMES

from localgov.requests.model import Applicant
from localgov.tokens import cbor

UTC = datetime.UTC
texts = st.text(min_size=1, max_size=30)
moments = st.integers(0, 4102444800).map(lambda s: datetime.datetime.fromtimestamp(s, UTC))
form_values = st.one_of(st.text(max_size=40), st.integers(-(2**40), 2**40), st.lists(st.text(max_size=10), max_size=4))

submissions = st.builds(
    Submission,
    device_id=texts,
    sequence=st.integers(1, 2**40),
    idempotency_key=texts,
    bundle_sequence=st.integers(1, 2**20),
    bundle_digest=st.binary(min_size=32, max_size=32),
    taken_at=moments,
    service=texts,
    unit=texts,
    service_point=texts,
    clerk=texts,
    applicant=st.builds(
        Applicant, national_id=st.text(max_size=14), name=st.text(max_size=40), mobile=st.text(max_size=13)
    ),
    form=st.dictionaries(st.text(min_size=1, max_size=20), form_values, max_size=6),
    documents=st.lists(
        st.builds(Photo, type=texts, media_type=texts, content=st.binary(min_size=1, max_size=40)), max_size=3
    ).map(tuple),
    receipt_number=texts,
)


@given(submissions)
def test_a_submission_reads_back_as_written(submission: Submission) -> None:
    assert read_submission(cbor.encode(submission.to_payload())) == submission


def _mutations() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.none(),
        st.integers(-3, 2**64 - 1),
        st.text(max_size=5),
        st.binary(max_size=40),
        st.lists(st.integers(), max_size=3),
        st.booleans(),
    )


@settings(max_examples=300)
@given(submissions, st.integers(2, 16), _mutations(), st.booleans())
def test_a_changed_submission_is_read_or_refused_by_key(
    submission: Submission, key: int, value: Any, drop: bool
) -> None:
    payload = submission.to_payload()
    if drop:
        payload.pop(key, None)
    else:
        payload[key] = value
    try:
        read = read_submission(cbor.encode(payload))
    except WireError as error:
        assert "localgov-mobile-submission" in str(error)
    else:
        assert read.to_payload() == payload  # only a value that means the same thing gets through


@given(st.binary(max_size=200))
def test_garbage_is_refused_by_every_reader(data: bytes) -> None:
    for reader in (read_submission, read_request, read_answer):
        try:
            reader(data)
        except WireError:
            pass


requests = st.builds(
    SyncRequest,
    chain=st.lists(st.binary(min_size=1, max_size=50), min_size=1, max_size=3).map(tuple),
    device_now=moments,
    envelopes=st.lists(st.binary(min_size=1, max_size=50), max_size=5).map(tuple),
    manifest=st.just(b"") | st.binary(min_size=1, max_size=100),  # none, or a manifest's bytes
)
answers = st.builds(
    SyncAnswer,
    server_now=moments,
    outcomes=st.lists(
        st.builds(
            Outcome,
            sequence=st.integers(0, 2**40),
            outcome=st.sampled_from(OUTCOMES),
            request_id=st.none() | texts,
            reason=st.none() | texts,
            repeat=st.booleans(),
        ),
        max_size=5,
    ).map(tuple),
    next_sequence=st.integers(1, 2**40),
    clock_skew=st.integers(-(10**9), 10**9),
    bundle_sequence=st.integers(0, 2**20),
    bundle_digest=st.sampled_from([b"", bytes(32)]),
)


@given(requests)
def test_a_sync_request_reads_back(request: SyncRequest) -> None:
    assert read_request(request.encode()) == request


@given(answers)
def test_a_sync_answer_reads_back(answer: SyncAnswer) -> None:
    assert read_answer(answer.encode()) == answer


@given(answers, st.integers(2, 8), _mutations())
def test_a_changed_answer_is_read_or_refused(answer: SyncAnswer, key: int, value: Any) -> None:
    payload = cbor.decode(answer.encode())
    assert isinstance(payload, dict)
    payload[key] = value
    try:
        read_answer(cbor.encode(payload))
    except WireError as error:
        assert "localgov-mobile-sync-answer" in str(error)
