"""Which revocation deltas bring a verifier's list up to date: for a server handing them out.

A verifier holding revocation list ``n`` needs the deltas ``n -> n+1 -> ... -> newest``, not the
whole list again. A server that publishes its deltas (the files ``localgov trust revoke``
writes) answers with that chain. It reads each file's sequence and base without verifying its
signature: whoever applies a delta verifies it (:meth:`RevocationUpdate.load`, the verification
page's ``revocation.js``), and a delta that does not verify, or does not start where the list
ends, is refused there. A file that is not a readable revocation delta is passed over.
"""

from __future__ import annotations

from collections.abc import Iterable

from localgov.tokens import cbor, cose
from localgov.tokens.errors import TokenError
from localgov.tokens.revocation import REVOCATION_LIST_TYPE
from localgov.tokens.signed_file import FILE_TYPE, MAX_SIGNED_FILE

__all__ = ["delta_chain", "delta_steps"]

_SEQUENCE, _BASE = 2, 3


def delta_steps(data: bytes) -> tuple[int, int] | None:
    """``(base, sequence)`` of a signed revocation delta, read without verifying; None if it is not one."""
    if len(data) > MAX_SIGNED_FILE:
        return None
    try:
        payload = cbor.decode(cose.parse_sign1(data).payload)
    except (TokenError, cbor.CborError):
        return None
    if not isinstance(payload, dict) or payload.get(FILE_TYPE) != REVOCATION_LIST_TYPE:
        return None
    base, sequence = payload.get(_BASE), payload.get(_SEQUENCE)
    if type(base) is not int or type(sequence) is not int or not 0 <= base < sequence:
        return None
    return base, sequence


def delta_chain(files: Iterable[bytes], since: int) -> list[bytes] | None:
    """The deltas that turn list ``since`` into the newest one ``files`` reach, in order.

    ``[]`` when no delta goes beyond ``since``; None when some do but none starts at ``since``
    (the verifier must then take the full list). Where two deltas start at the same list, the one
    that goes further is taken.
    """
    starting_at: dict[int, tuple[int, bytes]] = {}
    newest = since
    for data in files:
        steps = delta_steps(data)
        if steps is None:
            continue
        base, sequence = steps
        newest = max(newest, sequence)
        if base not in starting_at or sequence > starting_at[base][0]:
            starting_at[base] = (sequence, data)
    chain, at = [], since
    while at in starting_at:
        at, data = starting_at[at]
        chain.append(data)
    if not chain and newest > since:
        return None
    return chain
