"""The post office's daily batch of counter transactions: format, writer and strict parser.

Egypt Post sends one file a business day (Cairo time) listing every fee its counters collected
for localgov and every refund they paid out. Egypt Post publishes no format, so this one is
localgov's, to be agreed with Egypt Post; it is documented byte for byte in the plugin's README:

.. code-block:: text

    EGYPT_POST_COUNTER_BATCH,1,2026-12-07,1
    receipt,payment_code,merchant_ref,kind,amount,currency,office,clerk,at
    PO00012345,394812007561,ZTN-2600001-3-01,PAY,450.00,EGP,zeitoun_post,post1,2026-12-07T10:02:11+02:00
    TOTAL,1,450.00,0.00
    SIGNATURE,HMAC-SHA256,<64 lower-case hex digits>

UTF-8, lines ending in LF (a CR before it is tolerated), no quoting: no field may hold a comma or
a quote, so a line is split on its commas. The signature is the HMAC-SHA256, under the key shared
with the counter system, of every byte before the ``SIGNATURE`` line. Every refusal is a
:class:`BatchError` naming the file, the line, the field and the value.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import re
from collections.abc import Callable, Sequence
from decimal import Decimal

import attrs

from localgov.clock import EGYPT
from localgov.errors import LocalgovError
from localgov.payments import CURRENCY, Secret
from localgov_egypt_post.counter import valid_payment_code

__all__ = [
    "COLUMNS",
    "MAGIC",
    "VERSION",
    "Batch",
    "BatchEntry",
    "BatchError",
    "parse_batch",
    "seal",
    "write_batch",
]

MAGIC = "EGYPT_POST_COUNTER_BATCH"
VERSION = "1"
COLUMNS = ("receipt", "payment_code", "merchant_ref", "kind", "amount", "currency", "office", "clerk", "at")
KINDS = ("PAY", "REFUND")
ALGORITHM = "HMAC-SHA256"

_RECEIPT = re.compile(r"[A-Z0-9]{6,20}")
_MERCHANT_REF = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-/]{0,63}")
_OFFICE = re.compile(r"[a-z][a-z0-9_]{0,63}")
_CLERK = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}")
_AMOUNT = re.compile(r"(0|[1-9][0-9]{0,11})\.[0-9]{2}")
_SEQUENCE = re.compile(r"[1-9][0-9]{0,5}")
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_HEX = re.compile(r"[0-9a-f]{64}")


class BatchError(LocalgovError):
    """A batch file that is not what the counter system sends: the file, line, field and value named."""

    def __init__(self, file: str, line: int, field: str, value: str | None, reason: str) -> None:
        shown = "" if value is None else f" (got {value[:60]!r})"
        super().__init__(f"{file} line {line}, {field}: {reason}{shown}")
        self.file, self.line, self.field, self.value, self.reason = file, line, field, value, reason


@attrs.frozen
class BatchEntry:
    """One counter transaction: a fee collected (``PAY``) or paid back (``REFUND``)."""

    receipt: str  # the counter's receipt number, unique in the batch
    payment_code: str
    merchant_ref: str
    kind: str
    amount: Decimal
    office: str  # the post office's service point code
    clerk: str
    at: datetime.datetime
    currency: str = CURRENCY
    line: int = attrs.field(default=0, eq=False)  # where it was read, for messages


@attrs.frozen
class Batch:
    day: datetime.date  # the business day, Cairo time
    sequence: int  # the counter system's number for the file
    entries: tuple[BatchEntry, ...]

    @property
    def paid(self) -> Decimal:
        return sum((e.amount for e in self.entries if e.kind == "PAY"), Decimal("0.00"))

    @property
    def refunded(self) -> Decimal:
        return sum((e.amount for e in self.entries if e.kind == "REFUND"), Decimal("0.00"))


def seal(body: bytes, key: Secret) -> bytes:
    """``body`` (every line up to and with ``TOTAL``) followed by its ``SIGNATURE`` line."""
    digest = hmac.new(key.reveal().encode("utf-8"), body, hashlib.sha256).hexdigest()
    return body + f"SIGNATURE,{ALGORITHM},{digest}\n".encode()


def write_batch(batch: Batch, key: Secret) -> bytes:
    """The file the counter system sends for ``batch`` (what the simulator produces)."""
    lines = [f"{MAGIC},{VERSION},{batch.day.isoformat()},{batch.sequence}", ",".join(COLUMNS)]
    for e in batch.entries:
        fields = (e.receipt, e.payment_code, e.merchant_ref, e.kind, f"{e.amount:.2f}", e.currency, e.office, e.clerk)
        lines.append(",".join((*fields, e.at.isoformat())))
    lines.append(f"TOTAL,{len(batch.entries)},{batch.paid:.2f},{batch.refunded:.2f}")
    return seal(("\n".join(lines) + "\n").encode("utf-8"), key)


def parse_batch(data: bytes, key: Secret, *, file: str = "<batch>") -> Batch:
    """Verify and read a batch file; raise :class:`BatchError` at the first thing wrong.

    The signature is checked before anything else is believed, so a changed byte anywhere is
    refused as such; the fields are then checked one by one, and the totals against the entries.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BatchError(file, data.count(b"\n", 0, error.start) + 1, "encoding", None, "not UTF-8") from None
    if not text:
        raise BatchError(file, 1, "file", None, "the file is empty")
    if not text.endswith("\n"):
        raise BatchError(file, text.count("\n") + 1, "file", None, "the last line does not end with a newline")
    lines = [line.removesuffix("\r") for line in text[:-1].split("\n")]
    last = len(lines)
    _signature(data, lines[-1], last, key, file)
    if last < 4:
        raise BatchError(file, last, "file", None, "a batch has a header, the column names, TOTAL and SIGNATURE")
    day, sequence = _header(lines[0], file)
    if lines[1] != ",".join(COLUMNS):
        raise BatchError(file, 2, "columns", lines[1], f"expected {','.join(COLUMNS)}")
    entries: list[BatchEntry] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(lines[2:-2], start=3):
        entry = _entry(line, number, day, file)
        if entry.receipt in seen:
            raise BatchError(file, number, "receipt", entry.receipt, f"already on line {seen[entry.receipt]}")
        seen[entry.receipt] = number
        entries.append(entry)
    batch = Batch(day, sequence, tuple(entries))
    _totals(lines[-2], last - 1, batch, file)
    return batch


def _fields(line: str, number: int, count: int, what: str, file: str) -> list[str]:
    if '"' in line:
        raise BatchError(file, number, what, line, "quotes are not allowed: no field may hold a comma")
    fields = line.split(",")
    if len(fields) != count:
        raise BatchError(file, number, what, line, f"expected {count} fields, got {len(fields)}")
    return fields


def _signature(data: bytes, line: str, number: int, key: Secret, file: str) -> None:
    fields = _fields(line, number, 3, "signature", file)
    if fields[0] != "SIGNATURE":
        raise BatchError(file, number, "signature", fields[0], "the last line must be the SIGNATURE line")
    if fields[1] != ALGORITHM:
        raise BatchError(file, number, "signature", fields[1], f"the algorithm is {ALGORITHM}")
    if not _HEX.fullmatch(fields[2]):
        raise BatchError(file, number, "signature", fields[2], "expected 64 lower-case hex digits")
    signed = data[: data.rstrip(b"\n").rfind(b"\n") + 1]
    expected = hmac.new(key.reveal().encode("utf-8"), signed, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, fields[2]):
        raise BatchError(
            file, number, "signature", None, "does not verify: the file was changed or signed with another key"
        )


def _header(line: str, file: str) -> tuple[datetime.date, int]:
    magic, version, day, sequence = _fields(line, 1, 4, "header", file)
    if magic != MAGIC:
        raise BatchError(file, 1, "header", magic, f"expected {MAGIC}")
    if version != VERSION:
        raise BatchError(file, 1, "version", version, f"this reader knows version {VERSION}")
    if not _DAY.fullmatch(day):
        raise BatchError(file, 1, "day", day, "expected YYYY-MM-DD")
    try:
        business_day = datetime.date.fromisoformat(day)
    except ValueError:
        raise BatchError(file, 1, "day", day, "not a date") from None
    if not _SEQUENCE.fullmatch(sequence):
        raise BatchError(file, 1, "sequence", sequence, "expected a number from 1, no leading zero")
    return business_day, int(sequence)


def _check(
    pattern: re.Pattern[str] | Callable[[str], bool], value: str, number: int, field: str, file: str, reason: str
) -> str:
    ok = pattern.fullmatch(value) is not None if isinstance(pattern, re.Pattern) else pattern(value)
    if not ok:
        raise BatchError(file, number, field, value, reason)
    return value


def _amount(value: str, number: int, field: str, file: str) -> Decimal:
    _check(_AMOUNT, value, number, field, file, "expected an amount with two decimals, e.g. 450.00")
    return Decimal(value)


def _entry(line: str, number: int, day: datetime.date, file: str) -> BatchEntry:
    if line.startswith(("TOTAL,", "SIGNATURE,")):
        raise BatchError(
            file, number, "record", line.split(",")[0], "only the last two lines may be TOTAL and SIGNATURE"
        )
    receipt, code, ref, kind, amount, currency, office, clerk, at = _fields(line, number, len(COLUMNS), "entry", file)
    _check(_RECEIPT, receipt, number, "receipt", file, "expected 6-20 upper-case letters or digits")
    _check(
        valid_payment_code, code, number, "payment_code", file, "expected 12 digits ending in their Luhn check digit"
    )
    _check(_MERCHANT_REF, ref, number, "merchant_ref", file, "expected localgov's merchant reference")
    if kind not in KINDS:
        raise BatchError(file, number, "kind", kind, "expected PAY or REFUND")
    value = _amount(amount, number, "amount", file)
    if value <= 0:
        raise BatchError(file, number, "amount", amount, "must be above 0.00")
    if currency != CURRENCY:
        raise BatchError(file, number, "currency", currency, f"the counters collect {CURRENCY} only")
    _check(_OFFICE, office, number, "office", file, "expected a service point code")
    _check(_CLERK, clerk, number, "clerk", file, "expected the counter clerk's id")
    try:
        moment = datetime.datetime.fromisoformat(at)
    except ValueError:
        raise BatchError(file, number, "at", at, "expected an ISO 8601 moment") from None
    if moment.tzinfo is None:
        raise BatchError(file, number, "at", at, "the moment needs its UTC offset")
    if moment.astimezone(EGYPT).date() != day:
        raise BatchError(file, number, "at", at, f"not on the batch's business day {day.isoformat()} (Cairo time)")
    return BatchEntry(receipt, code, ref, kind, value, office, clerk, moment, currency, number)


def _totals(line: str, number: int, batch: Batch, file: str) -> None:
    record, count, paid, refunded = _fields(line, number, 4, "totals", file)
    if record != "TOTAL":
        raise BatchError(file, number, "totals", record, "the line before SIGNATURE must be TOTAL")
    if count != str(len(batch.entries)):
        raise BatchError(file, number, "count", count, f"the batch has {len(batch.entries)} entries")
    checks: Sequence[tuple[str, str, Decimal]] = (("paid", paid, batch.paid), ("refunded", refunded, batch.refunded))
    for field, text, total in checks:
        if _amount(text, number, field, file) != total:
            raise BatchError(file, number, field, text, f"the entries add up to {total:.2f}")
