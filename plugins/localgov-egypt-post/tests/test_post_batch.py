"""The daily batch file: round trip, every byte signed, each refusal named by line and field."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from localgov_egypt_post import Batch, BatchEntry, BatchError, luhn_digit, parse_batch, seal, write_batch
from post_harness import KEY

from localgov.clock import EGYPT
from localgov.payments import Secret

SECRET = Secret(KEY)
DAY = datetime.date(2026, 12, 7)


def code(n: int) -> str:
    body = f"{n:011d}"
    return body + luhn_digit(body)


def entry(n: int = 1, kind: str = "PAY", amount: str = "450.00") -> BatchEntry:
    at = datetime.datetime(2026, 12, 7, 10, n % 60, tzinfo=EGYPT)
    return BatchEntry(f"PO{n:08d}", code(n), f"SHB-2600001-{n}-01", kind, Decimal(amount), "shubra_post", "post1", at)


def lines_of(batch: Batch) -> list[str]:
    return write_batch(batch, SECRET).decode().splitlines()[:-1]  # without the signature


def resealed(lines: list[str]) -> bytes:
    """A file with ``lines`` signed properly: the refusal that follows is the field's, not the signature's."""
    return seal(("\n".join(lines) + "\n").encode(), SECRET)


def refusal(data: bytes) -> BatchError:
    with pytest.raises(BatchError) as caught:
        parse_batch(data, SECRET, file="batch.csv")
    return caught.value


BATCH = Batch(DAY, 3, (entry(1), entry(2, amount="1234.56"), entry(3, "REFUND", "50.00")))

entries = st.builds(
    entry,
    st.integers(min_value=1, max_value=10**8 - 1),
    st.sampled_from(["PAY", "REFUND"]),
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999999.99"), places=2).map(str),
)
batches = st.builds(
    Batch,
    st.just(DAY),
    st.integers(min_value=1, max_value=999_999),
    st.lists(entries, max_size=8, unique_by=lambda e: e.receipt).map(tuple),
)


@settings(max_examples=80, deadline=None)
@given(batches)
def test_a_written_batch_reads_back_as_it_was(batch: Batch) -> None:
    parsed = parse_batch(write_batch(batch, SECRET), SECRET)
    assert parsed == batch
    assert (parsed.paid, parsed.refunded) == (batch.paid, batch.refunded)


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_any_changed_byte_is_refused(data: st.DataObject) -> None:
    original = write_batch(BATCH, SECRET)
    position = data.draw(st.integers(min_value=0, max_value=len(original) - 1))
    flip = data.draw(st.integers(min_value=1, max_value=255))
    changed = bytearray(original)
    changed[position] ^= flip
    with pytest.raises(BatchError):
        parse_batch(bytes(changed), SECRET)


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=0, max_value=200))
def test_a_truncated_file_is_refused(cut: int) -> None:
    original = write_batch(BATCH, SECRET)
    with pytest.raises(BatchError):
        parse_batch(original[: max(0, len(original) - 1 - cut)], SECRET)


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=400) | st.text(max_size=400).map(str.encode))
def test_garbage_raises_only_batch_errors(data: bytes) -> None:
    with pytest.raises(BatchError):
        parse_batch(data, SECRET)


def test_another_key_is_refused_on_the_signature_line() -> None:
    error = refusal(write_batch(BATCH, Secret("another-key")))
    assert (error.line, error.field) == (7, "signature")
    assert "does not verify" in str(error) and KEY not in str(error)


def test_crlf_line_ends_are_read() -> None:
    body = ("\r\n".join(lines_of(BATCH)) + "\r\n").encode()
    assert parse_batch(seal(body, SECRET), SECRET, file="batch.csv") == BATCH


@pytest.mark.parametrize(
    ("line", "field_index", "value", "field", "says"),
    [
        (3, 4, "450.5", "amount", "two decimals"),
        (3, 4, "0.00", "amount", "above 0.00"),
        (3, 4, "-450.00", "amount", "two decimals"),
        (3, 1, "000000000019", "payment_code", "Luhn"),
        (3, 3, "PAID", "kind", "PAY or REFUND"),
        (3, 5, "USD", "currency", "EGP only"),
        (4, 8, "2026-12-07T23:30:00+00:00", "at", "business day 2026-12-07"),
        (4, 8, "2026-12-07T10:00:00", "at", "UTC offset"),
        (4, 0, "PO00000001", "receipt", "already on line 3"),
        (5, 6, "Shubra Post", "office", "service point code"),
        (6, 1, "4", "count", "3 entries"),
        (6, 2, "1684.55", "paid", "add up to 1684.56"),
        (1, 0, "EGYPT_POST_BATCH", "header", "EGYPT_POST_COUNTER_BATCH"),
        (1, 1, "2", "version", "version 1"),
        (1, 2, "2026-13-07", "day", "not a date"),
        (1, 3, "01", "sequence", "no leading zero"),
    ],
)
def test_a_wrong_field_is_named_with_its_line_and_value(
    line: int, field_index: int, value: str, field: str, says: str
) -> None:
    lines = lines_of(BATCH)
    fields = lines[line - 1].split(",")
    fields[field_index] = value
    lines[line - 1] = ",".join(fields)
    error = refusal(resealed(lines))
    assert (error.file, error.line, error.field, error.value) == ("batch.csv", line, field, value)
    assert says in str(error) and str(error).startswith(f"batch.csv line {line}, {field}: ")


@pytest.mark.parametrize(
    ("change", "line", "field", "says"),
    [
        (
            lambda ls: [ls[0], "receipt,code,ref,kind,amount,currency,office,clerk,at", *ls[2:]],
            2,
            "columns",
            "expected",
        ),
        (lambda ls: [*ls[:2], ls[2] + ",extra", *ls[3:]], 3, "entry", "expected 9 fields, got 10"),
        (lambda ls: [*ls[:2], ls[2].replace("post1", '"post1"'), *ls[3:]], 3, "entry", "quotes"),
        (lambda ls: [*ls[:-1], ls[-1], "TOTAL,0,0.00,0.00"], 6, "record", "last two lines"),
        (lambda ls: ls[:2], 3, "file", "a batch has"),
    ],
)
def test_a_wrong_line_is_named(change: object, line: int, field: str, says: str) -> None:
    assert callable(change)
    error = refusal(resealed(change(lines_of(BATCH))))
    assert (error.line, error.field) == (line, field) and says in str(error)


def test_the_file_must_end_with_a_newline_and_hold_nothing_after_the_signature() -> None:
    data = write_batch(BATCH, SECRET)
    assert "does not end with a newline" in str(refusal(data[:-1]))
    assert refusal(data + b"PO99,\n").field == "signature"
    assert refusal(b"").field == "file"
    assert refusal("é".encode("latin-1") + data).field == "encoding"
