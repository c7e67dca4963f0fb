"""Delivery receipts: deliver_sm with esm_class "SMSC delivery receipt".

SMPP 3.4 carries the receipt's facts twice: as the TLVs receipted_message_id and message_state,
and in the text, ``id:<id> sub:001 dlvrd:001 submit date:... done date:... stat:DELIVRD err:000``
(appendix B, which the standard calls informative). The TLVs win when present; the text is read
for SMSCs that send only it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import attrs

from localgov_smpp.pdu import ShortMessage, Tag

__all__ = ["RECEIPT_ESM_CLASS", "Receipt", "is_receipt", "parse_receipt", "receipt_text"]

RECEIPT_ESM_CLASS = 0x04
# message_state values (SMPP 3.4, 5.3.2.35) and the receipt text's stat words.
_STATES = {
    1: "ENROUTE",
    2: "DELIVRD",
    3: "EXPIRED",
    4: "DELETED",
    5: "UNDELIV",
    6: "ACCEPTD",
    7: "UNKNOWN",
    8: "REJECTD",
}
_FIELD = re.compile(r"(id|stat):(\S+)", re.IGNORECASE)


@attrs.frozen
class Receipt:
    message_id: str
    status: str

    @property
    def delivered(self) -> bool:
        return self.status == "DELIVRD"

    @property
    def final(self) -> bool:
        return self.status not in ("ENROUTE", "ACCEPTD")


def is_receipt(message: ShortMessage) -> bool:
    return bool(message.esm_class & 0x3C == RECEIPT_ESM_CLASS)


def parse_receipt(message: ShortMessage, tlvs: Mapping[int, bytes]) -> Receipt | None:
    """The receipt ``message`` carries, or ``None`` if it names no message."""
    raw_id, state = tlvs.get(Tag.RECEIPTED_MESSAGE_ID), tlvs.get(Tag.MESSAGE_STATE)
    if raw_id and state:  # the TLVs say it all: the text need not be read
        return Receipt(raw_id.rstrip(b"\x00").decode("ascii", "replace")[:64], _STATES.get(state[0], "UNKNOWN"))
    text = {k.lower(): v for k, v in _FIELD.findall(message.short_message.decode("latin-1"))}
    message_id = raw_id.rstrip(b"\x00").decode("ascii", "replace") if raw_id else text.get("id", "")
    status = _STATES.get(state[0], "UNKNOWN") if state else text.get("stat", "UNKNOWN").upper()
    if not message_id:
        return None
    return Receipt(message_id[:64], status[:16])


def receipt_text(message_id: str, status: str, stamp: str) -> bytes:
    """The text an SMSC puts in a receipt (what the simulator sends)."""
    delivered = "001" if status == "DELIVRD" else "000"
    return (
        f"id:{message_id} sub:001 dlvrd:{delivered} submit date:{stamp} done date:{stamp} stat:{status} err:000 text:"
    ).encode("ascii")
