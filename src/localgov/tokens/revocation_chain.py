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

from localgov.tokens.revocation import delta_steps

__all__ = ["delta_chain", "delta_steps"]


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
