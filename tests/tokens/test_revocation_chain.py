"""The chain of revocation deltas a server hands a verifier that holds list n."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache

from hypothesis import given
from hypothesis import strategies as st

from localgov.pki import Credential, create_root
from localgov.tokens import RevocationList, RevocationUpdate
from localgov.tokens.revocation_chain import delta_chain, delta_steps

NOW = datetime(2026, 12, 1, tzinfo=UTC)
KID = b"\x05" * 8


@cache
def _root() -> Credential:
    return create_root("delta chain")


@cache
def _signed(base: int, sequence: int) -> bytes:
    update = RevocationUpdate(sequence, {KID: [bytes([sequence % 256]) * 16]}, base=base, issued_at=NOW)
    root = _root()
    return update.sign(root, root.certificate)


def test_the_deltas_from_n_to_the_newest_in_order() -> None:
    files = [_signed(9, 10), _signed(7, 8), _signed(8, 9), _signed(5, 6)]
    assert delta_chain(files, 7) == [_signed(7, 8), _signed(8, 9), _signed(9, 10)]
    assert delta_chain(files, 9) == [_signed(9, 10)]
    assert delta_chain(files, 10) == [], "up to date"
    assert delta_chain(files, 12) == [], "ahead of what is published: nothing to add"
    assert delta_chain(files, 6) is None, "no delta starts at 6: take the full list"
    assert delta_chain([], 3) == []


def test_a_full_list_or_a_file_that_is_no_delta_is_passed_over() -> None:
    root = _root()
    full = RevocationUpdate(8, {KID: [bytes(16)]}, issued_at=NOW).sign(root, root.certificate)
    assert delta_steps(full) is None and delta_steps(b"not cose") is None
    assert delta_steps(_signed(7, 8)) == (7, 8)
    assert delta_chain([full, b"\x00" * 40, _signed(7, 8)], 7) == [_signed(7, 8)]


def test_a_chain_applied_to_list_n_gives_the_newest_list() -> None:
    root = _root()
    first = RevocationUpdate(3, {KID: [bytes(16)]}, issued_at=NOW)
    published, current = [], RevocationList.from_updates([first])
    for _ in range(4):
        delta = current.delta({KID: [bytes([current.sequence + 1]) * 16]}, issued_at=NOW)
        published.append(delta.sign(root, root.certificate))
        current = current.apply(delta)
    chain = delta_chain(published, 3)
    assert chain is not None
    held = RevocationList.from_updates([first, *(RevocationUpdate.load(d, root.certificate, at=NOW) for d in chain)])
    assert held == current


@given(st.lists(st.tuples(st.integers(0, 12), st.integers(1, 4)), max_size=10), st.integers(0, 14))
def test_whatever_is_published_the_chain_starts_at_n_and_climbs(steps: list[tuple[int, int]], since: int) -> None:
    files = [_signed(base, base + length) for base, length in steps]
    chain = delta_chain(files, since)
    newest = max([since, *(base + length for base, length in steps)])
    if chain is None:
        assert newest > since and all(base != since for base, _ in steps)
        return
    at = since
    for data in chain:
        found = delta_steps(data)
        assert found is not None and found[0] == at and found[1] > at
        at = found[1]
    assert at not in {base for base, _ in steps}, "the chain goes as far as the deltas lead"
