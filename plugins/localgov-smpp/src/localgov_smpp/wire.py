"""Reading and writing whole PDUs on a socket."""

from __future__ import annotations

import socket

from localgov_smpp.pdu import HEADER, Pdu, decode_pdu, encode_pdu, read_length

__all__ = ["ConnectionLost", "read_pdu", "write_pdu"]


class ConnectionLost(ConnectionError):
    """The other side closed the connection, or it broke."""


def _read_exactly(sock: socket.socket, count: int) -> bytes:
    chunks, remaining = [], count
    while remaining:
        try:
            chunk = sock.recv(remaining)
        except OSError as error:
            raise ConnectionLost(str(error)) from None
        if not chunk:
            raise ConnectionLost("closed by the other side")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def read_pdu(sock: socket.socket) -> Pdu:
    """The next PDU; :class:`ConnectionLost` at the end, ``PduError`` for a malformed one."""
    header = _read_exactly(sock, HEADER.size)
    length = read_length(header)
    return decode_pdu(header + _read_exactly(sock, length - HEADER.size))


def write_pdu(sock: socket.socket, pdu: Pdu) -> None:
    try:
        sock.sendall(encode_pdu(pdu))
    except OSError as error:
        raise ConnectionLost(str(error)) from None
