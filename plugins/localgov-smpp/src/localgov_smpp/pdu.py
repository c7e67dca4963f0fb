"""SMPP 3.4 PDUs: the header, the bodies localgov sends and answers, and optional TLVs.

Written here rather than taken from a library because both sides are needed: the notifier (an
ESME) and the loopback SMSC simulator that tests and the demo talk to; client libraries such as
smpplib encode only what an ESME sends and decode only what it receives. Only the operations a
transceiver needs are implemented. Every decoder treats its input as untrusted: a short, long or
malformed PDU raises :class:`PduError`, never another exception.
"""

from __future__ import annotations

import functools
import struct
from collections.abc import Mapping
from enum import IntEnum

import attrs

__all__ = [
    "HEADER",
    "MAX_PDU",
    "BindTransceiver",
    "Command",
    "Pdu",
    "PduError",
    "ShortMessage",
    "Status",
    "Tag",
    "decode_pdu",
    "encode_pdu",
    "read_length",
]

HEADER = struct.Struct(">IIII")
#: Larger PDUs are refused before they are read: the largest a transceiver meets is a few hundred.
MAX_PDU = 4096


class PduError(ValueError):
    """A PDU that cannot be read (too short or long, a field without its terminator...)."""


class Command(IntEnum):
    GENERIC_NACK = 0x80000000
    BIND_TRANSCEIVER = 0x00000009
    BIND_TRANSCEIVER_RESP = 0x80000009
    SUBMIT_SM = 0x00000004
    SUBMIT_SM_RESP = 0x80000004
    DELIVER_SM = 0x00000005
    DELIVER_SM_RESP = 0x80000005
    UNBIND = 0x00000006
    UNBIND_RESP = 0x80000006
    ENQUIRE_LINK = 0x00000015
    ENQUIRE_LINK_RESP = 0x80000015


class Status(IntEnum):
    ROK = 0x00
    RINVMSGLEN = 0x01
    RINVCMDLEN = 0x02
    RINVCMDID = 0x03
    RINVBNDSTS = 0x04
    RSYSERR = 0x08
    RINVDSTADR = 0x0B
    RBINDFAIL = 0x0D
    RINVPASWD = 0x0E
    RINVSYSID = 0x0F
    RMSGQFUL = 0x14
    RSUBMITFAIL = 0x45
    RTHROTTLED = 0x58


class Tag(IntEnum):
    RECEIPTED_MESSAGE_ID = 0x001E
    MESSAGE_STATE = 0x0427
    SC_INTERFACE_VERSION = 0x0210
    #: Vendor-specific (0x1400-0x3FFF): the sender's own id for the message part, by which an SMSC
    #: that supports it (and the simulator) recognises a part sent again after a lost answer.
    CLIENT_REFERENCE = 0x1501


@attrs.frozen
class BindTransceiver:
    system_id: str
    password: str
    system_type: str = ""
    interface_version: int = 0x34
    addr_ton: int = 0
    addr_npi: int = 0
    address_range: str = ""


@attrs.frozen
class ShortMessage:
    """The body shared by submit_sm and deliver_sm."""

    source_addr: str
    destination_addr: str
    short_message: bytes
    data_coding: int = 0
    esm_class: int = 0
    source_addr_ton: int = 0
    source_addr_npi: int = 0
    dest_addr_ton: int = 1
    dest_addr_npi: int = 1
    registered_delivery: int = 0
    service_type: str = ""
    protocol_id: int = 0
    priority_flag: int = 0
    schedule_delivery_time: str = ""
    validity_period: str = ""
    replace_if_present_flag: int = 0
    sm_default_msg_id: int = 0


Body = BindTransceiver | ShortMessage | str | None


@attrs.frozen
class Pdu:
    """One PDU. ``body`` is a :class:`BindTransceiver`, a :class:`ShortMessage`, a response's
    ``system_id`` or ``message_id`` (``str``), or ``None`` for a PDU without a body."""

    command: Command
    sequence: int
    status: int = 0
    body: Body = None
    tlvs: Mapping[int, bytes] = attrs.field(factory=dict)


# Maximum lengths of C-octet strings, terminator included (SMPP 3.4, section 4).
_LIMITS = {
    "system_id": 16,
    "password": 9,
    "system_type": 13,
    "address_range": 41,
    "service_type": 6,
    "source_addr": 21,
    "destination_addr": 21,
    "schedule_delivery_time": 17,
    "validity_period": 17,
    "message_id": 65,
}


@functools.lru_cache(maxsize=4096)
def _cstring(value: str, field: str) -> bytes:
    # Cached: a session writes the same few (the sender, empty fields, the citizens' numbers)
    # in every PDU, and checking and encoding them was a tenth of what a submit cost here.
    raw = value.encode("ascii", "strict") if value.isascii() else b""
    if not value.isascii() or b"\x00" in raw or len(raw) + 1 > _LIMITS[field]:
        raise PduError(f"{field} {value!r:.40} must be ASCII of at most {_LIMITS[field] - 1} characters")
    return raw + b"\x00"


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.at = data, 0

    def cstring(self, field: str) -> str:
        end = self.data.find(b"\x00", self.at, self.at + _LIMITS[field])
        if end < 0:
            raise PduError(f"{field} has no terminator within {_LIMITS[field]} octets")
        raw = self.data[self.at : end]
        self.at = end + 1
        try:
            return raw.decode("ascii")
        except UnicodeDecodeError:
            raise PduError(f"{field} is not ASCII") from None

    def octet(self, field: str) -> int:
        if self.at >= len(self.data):
            raise PduError(f"the PDU ends before {field}")
        self.at += 1
        return self.data[self.at - 1]

    def octets(self, count: int, field: str) -> bytes:
        if self.at + count > len(self.data):
            raise PduError(f"{field} runs past the end of the PDU")
        self.at += count
        return self.data[self.at - count : self.at]

    def tlvs(self) -> dict[int, bytes]:
        found: dict[int, bytes] = {}
        while self.at < len(self.data):
            head = self.octets(4, "a TLV header")
            tag, length = struct.unpack(">HH", head)
            found[tag] = self.octets(length, f"TLV 0x{tag:04x}")
        return found


def _encode_short_message(body: ShortMessage) -> bytes:
    if len(body.short_message) > 254:
        raise PduError("short_message holds at most 254 octets")
    return b"".join(
        (
            _cstring(body.service_type, "service_type"),
            bytes((body.source_addr_ton, body.source_addr_npi)),
            _cstring(body.source_addr, "source_addr"),
            bytes((body.dest_addr_ton, body.dest_addr_npi)),
            _cstring(body.destination_addr, "destination_addr"),
            bytes((body.esm_class, body.protocol_id, body.priority_flag)),
            _cstring(body.schedule_delivery_time, "schedule_delivery_time"),
            _cstring(body.validity_period, "validity_period"),
            bytes(
                (
                    body.registered_delivery,
                    body.replace_if_present_flag,
                    body.data_coding,
                    body.sm_default_msg_id,
                    len(body.short_message),
                )
            ),
            body.short_message,
        )
    )


def _decode_short_message(reader: _Reader) -> ShortMessage:
    service_type = reader.cstring("service_type")
    source_ton, source_npi = reader.octet("source_addr_ton"), reader.octet("source_addr_npi")
    source = reader.cstring("source_addr")
    dest_ton, dest_npi = reader.octet("dest_addr_ton"), reader.octet("dest_addr_npi")
    destination = reader.cstring("destination_addr")
    esm_class, protocol_id, priority = (reader.octet(f) for f in ("esm_class", "protocol_id", "priority_flag"))
    schedule, validity = reader.cstring("schedule_delivery_time"), reader.cstring("validity_period")
    registered, replace, coding, default_id, length = (
        reader.octet(f)
        for f in ("registered_delivery", "replace_if_present_flag", "data_coding", "sm_default_msg_id", "sm_length")
    )
    return ShortMessage(
        source_addr=source,
        destination_addr=destination,
        short_message=reader.octets(length, "short_message"),
        data_coding=coding,
        esm_class=esm_class,
        source_addr_ton=source_ton,
        source_addr_npi=source_npi,
        dest_addr_ton=dest_ton,
        dest_addr_npi=dest_npi,
        registered_delivery=registered,
        service_type=service_type,
        protocol_id=protocol_id,
        priority_flag=priority,
        schedule_delivery_time=schedule,
        validity_period=validity,
        replace_if_present_flag=replace,
        sm_default_msg_id=default_id,
    )


_STRING_BODIES = {
    Command.BIND_TRANSCEIVER_RESP: "system_id",
    Command.SUBMIT_SM_RESP: "message_id",
    Command.DELIVER_SM_RESP: "message_id",
}


def encode_pdu(pdu: Pdu) -> bytes:
    """The PDU's octets, header included."""
    body = pdu.body
    if isinstance(body, BindTransceiver):
        payload = b"".join(
            (
                _cstring(body.system_id, "system_id"),
                _cstring(body.password, "password"),
                _cstring(body.system_type, "system_type"),
                bytes((body.interface_version, body.addr_ton, body.addr_npi)),
                _cstring(body.address_range, "address_range"),
            )
        )
    elif isinstance(body, ShortMessage):
        payload = _encode_short_message(body)
    elif isinstance(body, str):
        payload = _cstring(body, _STRING_BODIES.get(pdu.command, "message_id"))
    else:
        payload = b""
    for tag, value in pdu.tlvs.items():
        payload += struct.pack(">HH", tag, len(value)) + value
    length = HEADER.size + len(payload)
    if length > MAX_PDU:
        raise PduError(f"a PDU of {length} octets is longer than {MAX_PDU}")
    return HEADER.pack(length, pdu.command, pdu.status, pdu.sequence) + payload


def decode_pdu(data: bytes) -> Pdu:
    """Read one whole PDU (``data`` holds exactly its ``command_length`` octets)."""
    if len(data) < HEADER.size:
        raise PduError(f"a PDU has a 16-octet header; got {len(data)} octets")
    length, command_id, status, sequence = HEADER.unpack_from(data)
    if length != len(data):
        raise PduError(f"command_length says {length} octets; got {len(data)}")
    try:
        command = Command(command_id)
    except ValueError:
        raise PduError(f"unknown command_id 0x{command_id:08x}") from None
    reader = _Reader(data[HEADER.size :])
    body: Body = None
    # A response with an error status may come without its body (SMPP 3.4, 3.3.1).
    if reader.at < len(reader.data) or status == 0:
        if command is Command.BIND_TRANSCEIVER:
            body = BindTransceiver(
                system_id=reader.cstring("system_id"),
                password=reader.cstring("password"),
                system_type=reader.cstring("system_type"),
                interface_version=reader.octet("interface_version"),
                addr_ton=reader.octet("addr_ton"),
                addr_npi=reader.octet("addr_npi"),
                address_range=reader.cstring("address_range"),
            )
        elif command in (Command.SUBMIT_SM, Command.DELIVER_SM):
            body = _decode_short_message(reader)
        elif command in _STRING_BODIES:
            body = reader.cstring(_STRING_BODIES[command])
    return Pdu(command, sequence, status, body, reader.tlvs())


def read_length(header: bytes) -> int:
    """The ``command_length`` of a PDU whose first four octets are ``header``, checked."""
    (length,) = struct.unpack(">I", header[:4])
    if not HEADER.size <= length <= MAX_PDU:
        raise PduError(f"command_length {length} is outside {HEADER.size}..{MAX_PDU}")
    return int(length)
