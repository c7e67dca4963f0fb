"""One bound SMPP transceiver session: requests matched to responses by sequence number.

A reader thread takes every PDU off the socket: responses wake the thread waiting for them; an
SMSC's deliver_sm (a receipt, or a citizen's message) is answered at once and handed to
``on_deliver``; enquire_link is answered. A keep-alive thread sends enquire_link when the link has
been quiet for ``enquire_interval`` seconds and closes the session if it goes unanswered, so a
connection a firewall dropped silently is noticed before a message is lost in it.
"""

from __future__ import annotations

import itertools
import socket
import threading
import time
from collections.abc import Callable, Mapping

from localgov_smpp.pdu import BindTransceiver, Command, Pdu, PduError, ShortMessage, Status
from localgov_smpp.wire import ConnectionLost, read_pdu, write_pdu

__all__ = ["BindRefused", "Session"]

_RESPONSE = 0x80000000


class BindRefused(ConnectionError):
    """The SMSC refused the bind (a wrong system_id or password)."""


class _Waiting:
    """A response awaited: a lock taken at the start and released when the answer comes (a
    lighter latch than threading.Event, whose wait runs in Python)."""

    __slots__ = ("_latch", "pdu")

    def __init__(self) -> None:
        self._latch = threading.Lock()
        self._latch.acquire()
        self.pdu: Pdu | None = None

    def set(self) -> None:
        try:
            self._latch.release()
        except RuntimeError:
            pass  # set twice (an answer and then the close): once is enough

    def wait(self, timeout: float) -> bool:
        return self._latch.acquire(timeout=timeout)


class Session:
    def __init__(
        self,
        host: str,
        port: int,
        bind: BindTransceiver,
        *,
        on_deliver: Callable[[ShortMessage, Mapping[int, bytes]], None],
        timeout: float = 10.0,
        enquire_interval: float = 30.0,
    ) -> None:
        self._on_deliver = on_deliver
        self._timeout = timeout
        self._enquire_interval = enquire_interval
        self._sequence = itertools.count(1)
        self._waiting: dict[int, _Waiting] = {}
        self._write_lock = threading.Lock()
        self._closed = threading.Event()
        self._last_heard = time.monotonic()
        try:
            self._sock = socket.create_connection((host, port), timeout=timeout)
        except OSError as error:
            raise ConnectionLost(f"cannot connect to {host}:{port}: {error}") from None
        self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._sock.settimeout(None)
        threading.Thread(target=self._read, name="smpp-reader", daemon=True).start()
        answer = self.request(Command.BIND_TRANSCEIVER, bind)
        if answer.status != Status.ROK:
            self.close(unbind=False)
            raise BindRefused(f"bind_transceiver as {bind.system_id!r} refused: {_status_name(answer.status)}")
        threading.Thread(target=self._keep_alive, name="smpp-keepalive", daemon=True).start()

    @property
    def alive(self) -> bool:
        return not self._closed.is_set()

    def request(
        self,
        command: Command,
        body: BindTransceiver | ShortMessage | None = None,
        tlvs: Mapping[int, bytes] = {},
        *,
        meanwhile: Callable[[], None] | None = None,
    ) -> Pdu:
        """Send a request and wait for its response; :class:`ConnectionLost` if the link goes.

        ``meanwhile`` runs once the request is on the wire, before the wait: work done there
        overlaps the round trip to the SMSC instead of adding to it.
        """
        if self._closed.is_set():
            raise ConnectionLost("the session is closed")
        sequence = next(self._sequence)
        waiting = self._waiting[sequence] = _Waiting()
        try:
            self._write(Pdu(command, sequence, 0, body, dict(tlvs)))
            if meanwhile is not None:
                meanwhile()
            if not waiting.wait(self._timeout):
                self.close(unbind=False)  # a response that never comes: the link is not to be trusted
                raise ConnectionLost(f"no answer to {command.name.lower()} in {self._timeout} s")
        finally:
            self._waiting.pop(sequence, None)
        if waiting.pdu is None:
            raise ConnectionLost("the connection closed before the answer")
        return waiting.pdu

    def _write(self, pdu: Pdu) -> None:
        with self._write_lock:
            write_pdu(self._sock, pdu)

    def _read(self) -> None:
        try:
            while True:
                pdu = read_pdu(self._sock)
                self._last_heard = time.monotonic()
                if pdu.command & _RESPONSE:
                    waiting = self._waiting.get(pdu.sequence)
                    if waiting is not None:
                        waiting.pdu = pdu
                        waiting.set()
                        # Let the woken sender run now: otherwise it waits for the interpreter's
                        # lock while this thread goes on with the receipt already read behind
                        # the answer, and every submit pays for the receipt of the one before.
                        time.sleep(0)
                elif pdu.command is Command.DELIVER_SM:
                    self._write(Pdu(Command.DELIVER_SM_RESP, pdu.sequence, 0, ""))
                    if isinstance(pdu.body, ShortMessage):
                        self._on_deliver(pdu.body, pdu.tlvs)
                elif pdu.command is Command.ENQUIRE_LINK:
                    self._write(Pdu(Command.ENQUIRE_LINK_RESP, pdu.sequence))
                elif pdu.command is Command.UNBIND:
                    self._write(Pdu(Command.UNBIND_RESP, pdu.sequence))
                    break
                else:
                    self._write(Pdu(Command.GENERIC_NACK, pdu.sequence, Status.RINVCMDID))
        except (ConnectionLost, PduError, OSError):
            pass
        finally:
            self._shut()

    def _keep_alive(self) -> None:
        while not self._closed.wait(min(self._enquire_interval, 1.0)):
            if time.monotonic() - self._last_heard < self._enquire_interval:
                continue
            try:
                self.request(Command.ENQUIRE_LINK)
            except ConnectionLost:
                return

    def _shut(self) -> None:
        self._closed.set()
        try:
            self._sock.close()
        except OSError:
            pass
        for waiting in list(self._waiting.values()):
            waiting.set()  # with no PDU: the caller raises ConnectionLost

    def close(self, *, unbind: bool = True) -> None:
        if unbind and not self._closed.is_set():
            try:
                self.request(Command.UNBIND)
            except ConnectionLost:
                pass
        try:
            self._sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._shut()


def _status_name(status: int) -> str:
    try:
        return f"ESME_{Status(status).name}"
    except ValueError:
        return f"status 0x{status:08x}"
