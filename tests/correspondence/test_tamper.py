"""Letters tampered with directly in the database, on SQLite and PostgreSQL: each is a finding."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from localgov.correspondence import Correspondence, verify_correspondence
from localgov.storage import SqlLetterStore
from localgov.testing.pki import TestPki
from tests.correspondence.support import PLANNER, TO_PLANNING, WRITER, at, open_correspondence

KEY = b"test key"
BACK = "2026-03-01T09:00:00+02:00"

# Statements that mean the same on both databases (no JSON functions): rows removed, text and
# binary columns rewritten. ``{first}`` and ``{second}`` are the two letters' numbers.
CASES = {
    "removed with everything": (
        [
            "DELETE FROM lg_letter_events WHERE letter_id = :first",
            "DELETE FROM lg_letter_lines WHERE letter_id = :first",
            "DELETE FROM lg_letters WHERE id = :first",
        ],
        "line 1 is missing (a letter removed from the book)",
    ),
    "removed last, counters rewound": (
        [
            "DELETE FROM lg_letter_events WHERE letter_id = :second",
            "DELETE FROM lg_letter_lines WHERE letter_id = :second",
            "DELETE FROM lg_letters WHERE id = :second",
            (
                "UPDATE lg_letter_books SET last = 1,"
                " last_at = (SELECT at FROM lg_letter_lines l WHERE l.book = lg_letter_books.book AND l.number = 1),"
                " head = (SELECT hash FROM lg_letter_lines l WHERE l.book = lg_letter_books.book AND l.number = 1)"
            ),
        ],
        "was rewound or edited: its seal does not match",
    ),
    "back-dated": (
        [
            "UPDATE lg_letters SET sent_at = :back WHERE id = :second",
            "UPDATE lg_letter_events SET at = :back WHERE letter_id = :second AND seq = 1",
            "UPDATE lg_letter_lines SET at = :back WHERE letter_id = :second",
        ],
        "back-dated",
    ),
    "signature replaced by another letter's": (
        [
            "UPDATE lg_letters SET signature = (SELECT signature FROM lg_letters o WHERE o.id = :first) WHERE id = :second"
        ],
        "its signature was replaced",
    ),
    "a forward removed": (
        ["DELETE FROM lg_letter_events WHERE letter_id = :first AND action = 'forward'"],
        "event 2 is missing (deleted)",
    ),
    "status rewritten": (
        ["UPDATE lg_letters SET status = 'sent' WHERE id = :first"],
        "its status 'sent' disagrees with its history ('acknowledged')",
    ),
}


@pytest.fixture
def letters(store_url: str, localgov_pki: TestPki) -> Correspondence:
    return open_correspondence(store_url, localgov_pki, audit_key=KEY)


@pytest.mark.parametrize("case", list(CASES))
def test_tampering_is_found(letters: Correspondence, case: str) -> None:
    first = letters.send(WRITER, TO_PLANNING, "الأول", "نص", at=at(18, 10))
    letters.forward(first.id, PLANNER, "licensing", at=at(18, 11))
    letters.acknowledge(first.id, PLANNER, at=at(18, 11))
    second = letters.send(WRITER, TO_PLANNING, "الثاني", "نص", at=at(18, 12))
    store = letters.store
    assert isinstance(store, SqlLetterStore)
    assert verify_correspondence(store, KEY) == {}
    statements, named = CASES[case]
    with store.engine.begin() as connection:
        for statement in statements:
            values = {"first": first.id, "second": second.id, "back": BACK}
            assert connection.execute(sa.text(statement), values).rowcount >= 1, statement
    findings = verify_correspondence(store, KEY)
    assert any(named in finding for found in findings.values() for finding in found), findings


def test_rehashed_without_the_key_does_not_verify(
    letters: Correspondence, store_url: str, localgov_pki: TestPki
) -> None:
    letters.send(WRITER, TO_PLANNING, "الأول", "نص", at=at(18))
    # Under another key every chain and seal fails: they cannot be recomputed without it.
    findings = verify_correspondence(letters.store, b"another key")
    assert any("does not match its hash" in f for found in findings.values() for f in found)
    assert any("seal does not match" in f for found in findings.values() for f in found)
