"""The SMPP notifier: a transceiver that sends the outbox's messages, takes receipts and answers
the citizens who text the short code.

Each part carries ``<message id>#<part>`` in the CLIENT_REFERENCE TLV and a concatenation
reference drawn from the message id, so a part sent again after a lost answer is the same part
to an SMSC that deduplicates, and to the handset reassembling it.
"""

from __future__ import annotations

import collections
import logging
import queue
import threading
import time
from collections.abc import Callable, Mapping, Sequence

from localgov.notifications import (
    DeliveryReceipt,
    DeliveryRefused,
    GatewayUnavailable,
    NotifierConfigurationError,
    OutboundMessage,
    ReceiptHandler,
    Throttled,
)
from localgov_smpp.pdu import BindTransceiver, Command, ShortMessage, Status, Tag
from localgov_smpp.reassembly import Reassembly
from localgov_smpp.receipts import is_receipt, parse_receipt
from localgov_smpp.session import BindRefused, Session
from localgov_smpp.settings import SmppSettings
from localgov_smpp.text import TextError, decode_text, encode_parts, split_udh
from localgov_smpp.wire import ConnectionLost

__all__ = ["InboundAnswer", "SmppNotifier"]

log = logging.getLogger(__name__)

#: (the citizen's number, their text) -> the reply, or None for none.
InboundAnswer = Callable[[str, str], str | None]

# Statuses after which this message will never go: the number or the message itself is at fault.
_REFUSED = {Status.RINVDSTADR, Status.RINVMSGLEN}
_ESM_UDHI = 0x40
# How often receipts are handed on when no submit is running to do it.
_PUMP_SECONDS = 0.1


class SmppNotifier:
    """Sends through an SMSC over SMPP 3.4, bound as a transceiver.

    :param throttle_retries: how often a part refused with ESME_RTHROTTLED is offered again here,
        after a pause that doubles from ``throttle_pause`` seconds, before the dispatcher is told
        to hold its batch (:class:`~localgov.notifications.Throttled`).
    """

    def __init__(
        self,
        settings: SmppSettings,
        *,
        code: str = "smpp",
        throttle_retries: int = 3,
        throttle_pause: float = 0.05,
    ) -> None:
        self.code = code
        self.settings = settings
        self._source = (settings.sender, *settings.sender_ton_npi)  # the same in every submit
        self._throttle_retries, self._throttle_pause = throttle_retries, throttle_pause
        self._session: Session | None = None
        self._lock = threading.Lock()
        self._receipt_handlers: list[ReceiptHandler] = []
        self._answer: InboundAnswer | None = None
        self._inbound: queue.Queue[tuple[str, str, str]] = queue.Queue(maxsize=1000)
        self._reassembly = Reassembly()
        # Receipts as the reader thread took them, not yet parsed or handed on (see _delivered).
        self._raw_receipts: collections.deque[tuple[ShortMessage, Mapping[int, bytes]]] = collections.deque()
        self._receipts_lock = threading.Lock()
        self._receipt_pump: threading.Thread | None = None  # while a session is open
        self.reconnections = 0

    @classmethod
    def from_settings(cls, settings: Mapping[str, str], *, code: str = "smpp") -> SmppNotifier:
        return cls(SmppSettings.from_mapping(settings), code=code)

    # -- the notifier protocol

    def send(self, message: OutboundMessage) -> Sequence[str]:
        try:
            parts = encode_parts(message.text, message.message_id)
        except TextError as error:
            raise DeliveryRefused(f"{self.code}: {error}") from None
        sender, source_ton, source_npi = self._source
        ids = []
        for index, part in enumerate(parts, start=1):
            body = ShortMessage(
                source_addr=sender,
                source_addr_ton=source_ton,
                source_addr_npi=source_npi,
                destination_addr=message.recipient.lstrip("+"),
                short_message=part.short_message,
                data_coding=part.data_coding,
                esm_class=_ESM_UDHI if part.has_udh else 0,
                registered_delivery=1,  # a receipt for the final outcome, delivered or not
            )
            ids.append(self._submit(body, f"{message.message_id}#{index}"))
        return ids

    def on_receipt(self, handler: ReceiptHandler) -> None:
        self._receipt_handlers.append(handler)

    def on_inbound(self, answer: InboundAnswer) -> None:
        """Answer each message citizens send (a status inquiry) with ``answer``'s reply."""
        self._answer = answer
        threading.Thread(target=self._answer_inbound, name="smpp-inbound", daemon=True).start()

    # -- the session

    def connect(self) -> None:
        """Bind now (sending binds on first use otherwise)."""
        self._live_session()

    def close(self) -> None:
        with self._lock:
            if self._session is not None:
                self._session.close()
                self._session = None
        self.hand_on_receipts()  # what came before the close still reaches the handlers

    def _live_session(self) -> Session:
        session = self._session  # the common case, without the lock: bound and alive
        if session is not None and session.alive:
            return session
        with self._lock:
            if self._session is not None and self._session.alive:
                return self._session
            if self._session is not None:
                self.reconnections += 1
            if self._receipt_pump is None:
                self._receipt_pump = threading.Thread(target=self._pump_receipts, name="smpp-receipts", daemon=True)
                self._receipt_pump.start()
            settings = self.settings
            bind = BindTransceiver(settings.system_id, settings.password, settings.system_type)
            try:
                self._session = Session(
                    settings.host,
                    settings.port,
                    bind,
                    on_deliver=self._delivered,
                    timeout=settings.timeout,
                    enquire_interval=settings.enquire_interval,
                )
            except BindRefused as error:
                raise NotifierConfigurationError(f"{self.code}: {error}") from None
            except ConnectionLost as error:
                raise GatewayUnavailable(f"{self.code}: {error}") from None
            return self._session

    def _submit(self, body: ShortMessage, reference: str) -> str:
        throttled = 0
        reconnected = False
        while True:
            session = self._live_session()
            try:
                answer = session.request(
                    Command.SUBMIT_SM,
                    body,
                    {Tag.CLIENT_REFERENCE: reference.encode("ascii")},
                    meanwhile=self.hand_on_receipts,
                )
            except ConnectionLost as error:
                # Sent and lost, or never sent: either way the same part again, once, on a new
                # session; an SMSC that deduplicates by the reference counts it once.
                if reconnected:
                    raise GatewayUnavailable(f"{self.code}: connection lost twice: {error}") from None
                reconnected = True
                continue
            if answer.status == Status.ROK and isinstance(answer.body, str) and answer.body:
                return answer.body
            if answer.status == Status.RTHROTTLED:
                if throttled >= self._throttle_retries:
                    raise Throttled(f"{self.code}: ESME_RTHROTTLED", retry_after=self._throttle_pause * 2**throttled)
                time.sleep(self._throttle_pause * 2**throttled)
                throttled += 1
                continue
            name = _name(answer.status)
            if answer.status in _REFUSED:
                raise DeliveryRefused(f"{self.code}: submit_sm refused: {name}")
            raise GatewayUnavailable(f"{self.code}: submit_sm failed: {name}")

    # -- receipts

    def hand_on_receipts(self) -> None:
        """Parse the receipts taken so far and give them to the handlers, in the order they came.

        Called while each submit is on its way (so the work fills the wait for the SMSC's
        answer), and by a pump thread when nothing is being sent. Parsing them on the reader
        thread instead cost every submit about a fifth of its time: the sender, woken by its
        answer, waited for the interpreter's lock while the reader parsed the receipt behind it.
        """
        if not self._raw_receipts or not self._receipts_lock.acquire(blocking=False):
            return  # nothing waiting, or another thread is handing them on
        try:
            while self._raw_receipts:
                message, tlvs = self._raw_receipts.popleft()
                receipt = parse_receipt(message, tlvs)
                if receipt is None or not receipt.final:
                    continue
                for handler in self._receipt_handlers:
                    try:
                        handler(DeliveryReceipt(self.code, receipt.message_id, receipt.delivered, receipt.status))
                    except Exception:
                        log.exception("receipt handler failed on %s", receipt.message_id)
        finally:
            self._receipts_lock.release()

    def _pump_receipts(self) -> None:
        while True:
            time.sleep(_PUMP_SECONDS)
            self.hand_on_receipts()
            with self._lock:  # the lock _live_session starts pumps under: never none, never two
                if self._session is None:
                    self._receipt_pump = None
                    return

    # -- what the SMSC delivers (on the session's reader thread: nothing here may wait for it)

    def _delivered(self, message: ShortMessage, tlvs: Mapping[int, bytes]) -> None:
        if is_receipt(message):
            self._raw_receipts.append((message, tlvs))  # handed on by hand_on_receipts
            return
        if self._answer is None:
            return
        try:
            concat, text = split_udh(message.short_message, bool(message.esm_class & _ESM_UDHI))
            part = decode_text(text, message.data_coding)
        except TextError:
            return  # unreadable: nothing to answer
        words = self._reassembly.add(message.source_addr, concat, part)
        if words is None:
            return  # a part of a message still incomplete
        try:
            self._inbound.put_nowait((message.source_addr, message.destination_addr, words))
        except queue.Full:
            log.warning("inbound SMS queue full: a message from %s dropped", message.source_addr[-4:])

    def _answer_inbound(self) -> None:
        while True:
            sender, short_code, text = self._inbound.get()
            assert self._answer is not None
            try:
                reply = self._answer(sender, text)
                if reply:
                    self._reply(sender, short_code, reply)
            except Exception:
                log.exception("answering an inbound SMS failed")

    def _reply(self, citizen: str, short_code: str, text: str) -> None:
        reference = f"reply-{time.time_ns()}"
        for index, part in enumerate(encode_parts(text, reference), start=1):
            body = ShortMessage(
                source_addr=short_code or self.settings.sender,
                source_addr_ton=3 if short_code.isdigit() else 5,
                source_addr_npi=0,
                destination_addr=citizen.lstrip("+"),
                short_message=part.short_message,
                data_coding=part.data_coding,
                esm_class=_ESM_UDHI if part.has_udh else 0,
            )
            self._submit(body, f"{reference}#{index}")


def _name(status: int) -> str:
    try:
        return f"ESME_{Status(status).name}"
    except ValueError:
        return f"status 0x{status:08x}"
