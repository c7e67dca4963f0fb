"""A loopback SMSC that speaks SMPP 3.4, for the tests, the demo and the benchmark.

It accepts transceiver binds with its system_id and password, answers submit_sm with a message
id, reassembles concatenated parts into the messages a handset would show, and sends a delivery
receipt (deliver_sm) for each part that asked for one. A part whose CLIENT_REFERENCE it has seen
is answered with the first id and not counted again, as a deduplicating SMSC would. It can be told
to refuse the next submits with ESME_RTHROTTLED, to accept a submit and then drop the connection
before answering (the worst moment), and to deliver a citizen's message (mobile originated) to
the bound client, keeping the replies the client sends back.
"""

from __future__ import annotations

import datetime
import itertools
import socket
import socketserver
import threading
from collections.abc import Callable

import attrs

from localgov_smpp.pdu import Command, Pdu, PduError, ShortMessage, Status, Tag
from localgov_smpp.receipts import RECEIPT_ESM_CLASS, receipt_text
from localgov_smpp.text import TextError, decode_text, encode_parts, reference_for, split_udh
from localgov_smpp.wire import ConnectionLost, read_pdu, write_pdu

__all__ = ["ReceivedSms", "SmscSimulator"]


@attrs.frozen
class ReceivedSms:
    """A whole message as the handset shows it, and how it travelled."""

    sender: str
    recipient: str
    text: str
    data_coding: int
    parts: int
    client_reference: str


class _Connection(socketserver.BaseRequestHandler):
    server: _Server

    def handle(self) -> None:
        self.server.simulator._serve(self.request)


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, simulator: SmscSimulator) -> None:
        self.simulator = simulator
        super().__init__(("127.0.0.1", 0), _Connection)


class _Bound:
    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.lock = threading.Lock()
        self.sequence = itertools.count(1)

    def send(self, pdu: Pdu) -> None:
        with self.lock:
            write_pdu(self.sock, pdu)


class SmscSimulator:
    def __init__(self, system_id: str = "localgov", password: str = "secret", *, receipts: bool = True) -> None:
        self.system_id, self.password = system_id, password
        self.receipts = receipts
        self.messages: list[ReceivedSms] = []
        #: Every submit_sm that arrived, retries and throttled ones included.
        self.submits = 0
        self.binds = 0
        self._ids = itertools.count(1)
        self._by_reference: dict[str, str] = {}
        self._receipted: set[str] = set()
        self._partial: dict[tuple[str, str, int], dict[int, tuple[bytes, int, str]]] = {}
        self._throttle = 0
        self._drop_after: int | None = None
        self._lock = threading.Lock()
        self._bound: list[_Bound] = []
        self._server: _Server | None = None
        self.on_message: Callable[[ReceivedSms], None] | None = None

    # -- running

    @property
    def port(self) -> int:
        assert self._server is not None, "the simulator is not running"
        return int(self._server.server_address[1])

    def start(self) -> SmscSimulator:
        self._server = _Server(self)
        threading.Thread(target=self._server.serve_forever, name="smsc-simulator", daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        for bound in list(self._bound):
            self._hang_up(bound)

    def settings(self, sender: str = "LocalGov") -> dict[str, str]:
        """Settings for the SMPP notifier that binds to this simulator."""
        return {
            "host": "127.0.0.1",
            "port": str(self.port),
            "system_id": self.system_id,
            "password": self.password,
            "sender": sender,
        }

    # -- behaviour

    def throttle_next(self, count: int) -> None:
        """Refuse the next ``count`` submits with ESME_RTHROTTLED."""
        with self._lock:
            self._throttle = count

    def drop_after(self, count: int) -> None:
        """Accept the ``count``-th submit from now, then close its connection without answering."""
        with self._lock:
            self._drop_after = count

    def drop_all(self) -> None:
        """Close every bound connection now."""
        for bound in list(self._bound):
            self._hang_up(bound)

    def messages_to(self, recipient: str) -> list[ReceivedSms]:
        return [m for m in self.messages if m.recipient == recipient.lstrip("+")]

    def mobile_originated(self, sender: str, short_code: str, text: str) -> None:
        """A citizen at ``sender`` texts ``short_code``: deliver it to the first bound client."""
        if not self._bound:
            raise ConnectionError("no client is bound to receive it")
        bound = self._bound[0]
        for part in encode_parts(text, reference_for(f"mo-{sender}-{text}")):
            body = ShortMessage(
                source_addr=sender.lstrip("+"),
                destination_addr=short_code,
                short_message=part.short_message,
                data_coding=part.data_coding,
                esm_class=0x40 if part.has_udh else 0,
                source_addr_ton=1,
                source_addr_npi=1,
                dest_addr_ton=3,
                dest_addr_npi=0,
            )
            bound.send(Pdu(Command.DELIVER_SM, next(bound.sequence), 0, body))

    # -- the protocol

    def _serve(self, sock: socket.socket) -> None:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        bound: _Bound | None = None
        client = _Bound(sock)
        try:
            while True:
                try:
                    pdu = read_pdu(sock)
                except PduError:
                    client.send(Pdu(Command.GENERIC_NACK, 0, Status.RINVCMDLEN))
                    return
                if pdu.command is Command.BIND_TRANSCEIVER:
                    body = pdu.body
                    ok = getattr(body, "system_id", None) == self.system_id
                    status = Status.ROK if ok and getattr(body, "password", None) == self.password else Status.RBINDFAIL
                    client.send(Pdu(Command.BIND_TRANSCEIVER_RESP, pdu.sequence, status, "SIMSMSC"))
                    if status == Status.ROK:
                        bound = client
                        self._bound.append(bound)
                        self.binds += 1
                elif bound is None:
                    client.send(Pdu(Command.GENERIC_NACK, pdu.sequence, Status.RINVBNDSTS))
                elif pdu.command is Command.SUBMIT_SM and isinstance(pdu.body, ShortMessage):
                    if not self._submit(bound, pdu):
                        return
                elif pdu.command is Command.ENQUIRE_LINK:
                    bound.send(Pdu(Command.ENQUIRE_LINK_RESP, pdu.sequence))
                elif pdu.command is Command.UNBIND:
                    bound.send(Pdu(Command.UNBIND_RESP, pdu.sequence))
                    return
                elif not pdu.command & 0x80000000:
                    bound.send(Pdu(Command.GENERIC_NACK, pdu.sequence, Status.RINVCMDID))
        except ConnectionLost:
            return
        finally:
            if bound is not None:
                self._hang_up(bound)
            else:
                sock.close()

    def _submit(self, bound: _Bound, pdu: Pdu) -> bool:
        """Handle one submit_sm; ``False`` when the connection is to be dropped."""
        body = pdu.body
        assert isinstance(body, ShortMessage)
        reference = pdu.tlvs.get(Tag.CLIENT_REFERENCE, b"").decode("ascii", "replace")
        with self._lock:
            self.submits += 1
            if self._throttle > 0:
                self._throttle -= 1
                bound.send(Pdu(Command.SUBMIT_SM_RESP, pdu.sequence, Status.RTHROTTLED))
                return True
            drop = False
            if self._drop_after is not None:
                self._drop_after -= 1
                drop = self._drop_after <= 0
                if drop:
                    self._drop_after = None
            known = self._by_reference.get(reference) if reference else None
            if known is None:
                try:
                    message_id, whole = self._accept(body, reference)
                except TextError:
                    bound.send(Pdu(Command.SUBMIT_SM_RESP, pdu.sequence, Status.RSUBMITFAIL))
                    return True
                if reference:
                    self._by_reference[reference] = message_id
            else:
                message_id, whole = known, None
        if drop:
            return False  # accepted, and the answer lost with the connection
        bound.send(Pdu(Command.SUBMIT_SM_RESP, pdu.sequence, 0, message_id))
        # A part sent again after its answer was lost still gets its one receipt.
        if self.receipts and body.registered_delivery & 0x03 and message_id not in self._receipted:
            self._receipted.add(message_id)
            self._receipt(bound, message_id, body)
        if whole is not None and self.on_message is not None:
            self.on_message(whole)
        return True

    def _accept(self, body: ShortMessage, reference: str) -> tuple[str, ReceivedSms | None]:
        message_id = f"{next(self._ids):010x}"
        concat, text = split_udh(body.short_message, bool(body.esm_class & 0x40))
        decoded = decode_text(text, body.data_coding)
        base = reference.rsplit("#", 1)[0]
        if concat is None:
            whole = ReceivedSms(body.source_addr, body.destination_addr, decoded, body.data_coding, 1, base)
            self.messages.append(whole)
            return message_id, whole
        ref, total, sequence = concat
        key = (body.source_addr, body.destination_addr, ref)
        parts = self._partial.setdefault(key, {})
        parts[sequence] = (text, body.data_coding, base)
        if len(parts) < total or total == 0:
            return message_id, None
        del self._partial[key]
        joined = "".join(decode_text(parts[i][0], parts[i][1]) for i in sorted(parts))
        whole = ReceivedSms(body.source_addr, body.destination_addr, joined, body.data_coding, total, base)
        self.messages.append(whole)
        return message_id, whole

    def _receipt(self, bound: _Bound, message_id: str, body: ShortMessage) -> None:
        stamp = datetime.datetime.now(datetime.UTC).strftime("%y%m%d%H%M")
        receipt = ShortMessage(
            source_addr=body.destination_addr,
            destination_addr=body.source_addr,
            short_message=receipt_text(message_id, "DELIVRD", stamp),
            esm_class=RECEIPT_ESM_CLASS,
        )
        tlvs: dict[int, bytes] = {
            Tag.RECEIPTED_MESSAGE_ID: message_id.encode("ascii") + b"\x00",
            Tag.MESSAGE_STATE: b"\x02",
        }
        try:
            bound.send(Pdu(Command.DELIVER_SM, next(bound.sequence), 0, receipt, tlvs))
        except ConnectionLost:
            pass

    def _hang_up(self, bound: _Bound) -> None:
        if bound in self._bound:
            self._bound.remove(bound)
        try:
            bound.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        bound.sock.close()

    def replies_to(self, citizen: str) -> list[str]:
        """The texts the bound client sent ``citizen`` (answers to inquiries among them)."""
        return [m.text for m in self.messages_to(citizen)]
