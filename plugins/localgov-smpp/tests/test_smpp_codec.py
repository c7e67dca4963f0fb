"""The PDU and text codecs: round trips, limits, and untrusted octets that never crash them."""

from __future__ import annotations

import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st
from localgov_smpp.pdu import (
    MAX_PDU,
    BindTransceiver,
    Command,
    Pdu,
    PduError,
    ShortMessage,
    Tag,
    decode_pdu,
    encode_pdu,
)
from localgov_smpp.receipts import parse_receipt, receipt_text
from localgov_smpp.text import GSM_7BIT, UCS2, TextError, decode_text, encode_parts, split_udh

ascii_field = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=10)
octet = st.integers(0, 255)


@given(
    source=ascii_field,
    destination=st.text("0123456789", max_size=20),
    message=st.binary(max_size=254),
    coding=octet,
    esm=octet,
    sequence=st.integers(1, 0x7FFFFFFF),
    reference=st.binary(max_size=60),
)
def test_submit_sm_round_trips(
    source: str, destination: str, message: bytes, coding: int, esm: int, sequence: int, reference: bytes
) -> None:
    pdu = Pdu(
        Command.SUBMIT_SM,
        sequence,
        0,
        ShortMessage(source, destination, message, data_coding=coding, esm_class=esm, registered_delivery=1),
        {Tag.CLIENT_REFERENCE: reference},
    )
    assert decode_pdu(encode_pdu(pdu)) == pdu


def test_bind_and_responses_round_trip() -> None:
    for pdu in (
        Pdu(Command.BIND_TRANSCEIVER, 1, 0, BindTransceiver("localgov", "secret", "gov")),
        Pdu(Command.BIND_TRANSCEIVER_RESP, 1, 0, "SMSC"),
        Pdu(Command.SUBMIT_SM_RESP, 2, 0, "0000abc"),
        Pdu(Command.ENQUIRE_LINK, 3),
        Pdu(Command.SUBMIT_SM_RESP, 4, 0x58),  # an error response without a body
    ):
        assert decode_pdu(encode_pdu(pdu)) == pdu


def test_the_header_is_as_smpp_34_lays_it_out() -> None:
    octets = encode_pdu(Pdu(Command.ENQUIRE_LINK, 7))
    assert octets == struct.pack(">IIII", 16, 0x15, 0, 7)


@given(st.binary(max_size=300))
def test_any_octets_decode_or_raise_pdu_error(data: bytes) -> None:
    framed = struct.pack(">I", len(data) + 4) + data
    try:
        decode_pdu(framed)
    except PduError:
        pass


@given(body=st.binary(max_size=200), command=st.sampled_from(list(Command)))
def test_any_body_under_a_valid_header_decodes_or_raises_pdu_error(body: bytes, command: Command) -> None:
    try:
        decode_pdu(struct.pack(">IIII", 16 + len(body), command, 0, 1) + body)
    except PduError:
        pass


def test_fields_too_long_for_smpp_are_refused_with_their_name() -> None:
    with pytest.raises(PduError, match="system_id"):
        encode_pdu(Pdu(Command.BIND_TRANSCEIVER, 1, 0, BindTransceiver("a" * 16, "x")))
    with pytest.raises(PduError, match="longer than"):
        encode_pdu(Pdu(Command.SUBMIT_SM_RESP, 1, 0, None, {0x1501: b"x" * MAX_PDU}))


def test_arabic_of_200_characters_is_three_ucs2_parts_of_67_67_66() -> None:
    text = ("طلبك رقم ١٢٣ جاهز للاستلام من مركز الزيتون " * 5)[:200]
    parts = encode_parts(text, reference=42)
    assert [p.data_coding for p in parts] == [UCS2] * 3
    assert [(len(p.short_message) - 6) // 2 for p in parts] == [67, 67, 66]
    assert [p.short_message[:6] for p in parts] == [bytes((5, 0, 3, 42, 3, i)) for i in (1, 2, 3)]
    assert "".join(decode_text(split_udh(p.short_message, True)[1], UCS2) for p in parts) == text


def test_latin_goes_as_gsm_7bit_160_alone_153_per_part() -> None:
    assert [len(p.short_message) for p in encode_parts("a" * 160, 1)] == [160]
    parts = encode_parts("a" * 161, 1)
    assert [p.data_coding for p in parts] == [GSM_7BIT, GSM_7BIT]
    assert [len(p.short_message) - 6 for p in parts] == [153, 8]
    assert [len(p.short_message) for p in encode_parts("ا" * 70, 1)] == [140]
    assert len(encode_parts("ا" * 71, 1)) == 2


def test_an_escaped_gsm_character_counts_two_and_is_never_split() -> None:
    text = "a" * 152 + "€" + "b" * 10
    parts = encode_parts(text, 9)
    assert len(parts) == 2 and len(parts[0].short_message) - 6 == 152  # the escape pair moved on whole
    assert "".join(decode_text(split_udh(p.short_message, True)[1], GSM_7BIT) for p in parts) == text


@given(st.text(max_size=600))
def test_any_text_splits_and_reassembles_to_itself(text: str) -> None:
    try:
        parts = encode_parts(text, 3)
    except TextError:
        return
    assert all(len(p.short_message) <= 160 for p in parts)
    joined = "".join(decode_text(split_udh(p.short_message, p.has_udh)[1], p.data_coding) for p in parts)
    assert joined == text


@given(st.binary(max_size=200), st.sampled_from([0, 3, 8, 4]), st.booleans())
def test_received_octets_decode_or_raise_text_error(data: bytes, coding: int, udh: bool) -> None:
    try:
        decode_text(split_udh(data, udh)[1], coding)
    except TextError:
        pass


def test_a_receipt_is_read_from_its_tlvs_or_its_text() -> None:
    text_only = ShortMessage("201012345678", "LocalGov", receipt_text("00ab", "UNDELIV", "2612061000"), esm_class=4)
    receipt = parse_receipt(text_only, {})
    assert receipt is not None and (receipt.message_id, receipt.delivered) == ("00ab", False)
    tlvs = {Tag.RECEIPTED_MESSAGE_ID: b"00cd\x00", Tag.MESSAGE_STATE: b"\x02"}
    receipt = parse_receipt(ShortMessage("a", "b", b"", esm_class=4), tlvs)
    assert receipt is not None and (receipt.message_id, receipt.delivered) == ("00cd", True)
    assert parse_receipt(ShortMessage("a", "b", b"garbage", esm_class=4), {}) is None


def test_a_concatenated_inbound_message_is_put_back_together_in_any_order() -> None:
    from localgov_smpp.reassembly import Reassembly

    parts = Reassembly(max_pending=2)
    assert parts.add("2010", (7, 3, 3), "c") is None
    assert parts.add("2010", (7, 3, 1), "a") is None
    assert parts.add("2011", (7, 3, 1), "x") is None  # another sender, the same reference
    assert parts.add("2010", (7, 3, 2), "b") == "abc"
    assert parts.add("2010", None, "alone") == "alone"
    assert parts.add("2010", (1, 99, 1), "too long for an inquiry") is None
    assert parts.add("2010", (1, 2, 3), "a third part of two") is None


@given(
    st.lists(st.tuples(st.integers(0, 3), st.integers(0, 12), st.integers(0, 12), st.text(max_size=5)), max_size=400)
)
def test_reassembly_stays_bounded_whatever_arrives(parts: list[tuple[int, int, int, str]]) -> None:
    from localgov_smpp.reassembly import Reassembly

    buffer = Reassembly(max_pending=8)
    for reference, total, sequence, text in parts:
        buffer.add("2010", (reference, total, sequence), text)
    assert len(buffer._waiting) <= 8


def test_ascii_text_takes_the_quick_path_to_the_same_septets() -> None:
    from localgov_smpp.text import reference_for

    text = "Pay @ Fawry: $5_00, ref. CZTN-2600001-3 (today!)"
    (part,) = encode_parts(text, "m-1")
    assert part.data_coding == GSM_7BIT and part.short_message[:4] == bytes((0x50, 0x61, 0x79, 0x20))
    assert part.short_message[4] == 0x00 and 0x02 in part.short_message and 0x11 in part.short_message
    assert decode_text(part.short_message, GSM_7BIT) == text
    # An extension character or one outside the alphabet still goes the long way round.
    assert encode_parts("{x}", "m-2")[0].short_message == bytes((0x1B, 0x28, 0x78, 0x1B, 0x29))
    assert encode_parts("a`b", "m-3")[0].data_coding == UCS2
    # A message id stands for the reference drawn from it, only when there are parts to join.
    assert encode_parts("a" * 200, "m-4") == encode_parts("a" * 200, reference_for("m-4"))
