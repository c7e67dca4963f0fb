"""Permit-log entries, proof files and the witness: formats, refusals, and arbitrary input."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from localgov.permits import log_entry
from localgov.testing.pki import TestPki
from localgov.tokens import issue, reference_building_permit
from localgov.transparency import (
    Checkpoint,
    Cosigner,
    Ed25519Signer,
    InclusionProofFile,
    MalformedCheckpoint,
    MalformedEntry,
    MemoryTree,
    PermitEntry,
    RevocationEntry,
    RootMismatch,
    TransparencyError,
    UnknownKey,
    Witness,
    WitnessAlarm,
    parse_entry,
)

ORIGIN = "log.test.localgov/permits"
AT = datetime.datetime(2026, 11, 5, 15, 0, tzinfo=datetime.UTC)


def test_a_permit_entry_is_the_documented_text_and_reads_back() -> None:
    entry = PermitEntry("C-ZTN", "2026/ZTN/000001", "building_permit", AT, bytes(range(32)))
    assert entry.encode() == (
        b"localgov/permit/v1\nissuer C-ZTN\nnumber 2026/ZTN/000001\nkind building_permit\n"
        b"issued 2026-11-05T15:00:00Z\ntoken " + bytes(range(32)).hex().encode() + b"\n"
    )
    assert parse_entry(entry.encode()) == entry
    revoked = RevocationEntry(b"\x01\x02", b"\xaa" * 32, AT)
    assert parse_entry(revoked.encode()) == revoked


def test_a_tokens_entry_comes_from_its_claims_and_matches_only_that_token(localgov_pki: TestPki) -> None:
    claims = reference_building_permit(issued_at=datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=1))
    token = issue(claims, localgov_pki.signer)
    entry = log_entry(token)
    assert (entry.issuer, entry.number, entry.kind) == (claims.issuer, claims.permit_number, claims.kind)
    assert entry == log_entry(token, claims)  # the claims given, the same entry without the parse
    assert entry.matches(token) and not entry.matches(token + "0")


@pytest.mark.parametrize(
    ("data", "named"),
    [
        (b"localgov/permit/v2\n", "names no entry type"),
        (b"\xff\xfe", "UTF-8"),
        (b"localgov/permit/v1\nissuer C-ZTN\n", "is 6 lines"),
        (b"localgov/revocation/v1\nkid 01\npermit 00\nat 2026-11-05T15:00:00Z\n", "32 bytes of lowercase hex"),
        (b"localgov/revocation/v1\nkid 01\npermit " + b"a" * 64 + b"\nat yesterday\n", "is not a UTC time"),
        (b"localgov/revocation/v1\nkid 01\npermit " + b"a" * 64 + b"\nat 2026-1-5T15:00:00Z\n", "is not a UTC time"),
        (
            b"localgov/revocation/v1\npermit 01\nkid " + b"a" * 64 + b"\nat 2026-11-05T15:00:00Z\n",
            "expected the line 'kid'",
        ),
    ],
)
def test_malformed_entries_are_refused_naming_what_is_wrong(data: bytes, named: str) -> None:
    with pytest.raises(MalformedEntry, match=named):
        parse_entry(data)


def test_a_value_with_a_space_cannot_be_written() -> None:
    with pytest.raises(MalformedEntry, match="one word"):
        PermitEntry("C ZTN", "1", "k", AT, b"\x00" * 32).encode()


@given(st.binary(max_size=400))
def test_any_bytes_as_an_entry_are_an_entry_or_malformed_entry(data: bytes) -> None:
    try:
        parsed = parse_entry(data)
    except MalformedEntry:
        return
    assert parsed.encode() == data  # one reading: whatever parses is written back the same


def _signed(tree: MemoryTree, signer: Ed25519Signer, size: int | None = None) -> object:
    size = tree.size if size is None else size
    return Checkpoint(ORIGIN, size, tree.root(size)).sign([signer])


def test_a_proof_file_round_trips_and_verifies_only_its_entry() -> None:
    signer = Ed25519Signer.generate(ORIGIN)
    tree = MemoryTree()
    for i in range(11):
        tree.append(b"entry %d" % i)
    proof = InclusionProofFile(7, tuple(tree.inclusion_proof(7)), _signed(tree, signer))  # type: ignore[arg-type]
    again = InclusionProofFile.parse(str(proof))
    assert again == InclusionProofFile.parse(str(proof).encode())
    assert again.verify(b"entry 7", [signer.verifier], origin=ORIGIN).checkpoint.size == 11
    with pytest.raises(RootMismatch):
        again.verify(b"entry 8", [signer.verifier], origin=ORIGIN)
    with pytest.raises(UnknownKey):
        again.verify(b"entry 7", [Ed25519Signer.generate(ORIGIN).verifier], origin=ORIGIN)


@given(st.text(max_size=300))
def test_any_text_as_a_proof_file_parses_or_is_refused_by_the_packages_errors(text: str) -> None:
    try:
        InclusionProofFile.parse(text)
    except TransparencyError:
        pass


def test_a_proof_file_with_a_bad_hash_line_names_the_line() -> None:
    signer = Ed25519Signer.generate(ORIGIN)
    tree = MemoryTree([b"\x00" * 32, b"\x01" * 32])
    text = str(InclusionProofFile(0, tuple(tree.inclusion_proof(0)), _signed(tree, signer)))  # type: ignore[arg-type]
    with pytest.raises(MalformedCheckpoint, match="line 3 of the proof file"):
        InclusionProofFile.parse(text.replace(text.split("\n")[2], "not-base64!"))


def test_the_witness_cosigns_each_extension_and_alarms_on_a_rollback_or_fork() -> None:
    log = Ed25519Signer.generate(ORIGIN)
    witness = Witness(Cosigner.from_signer(Ed25519Signer.generate("witness.test")), log.verifier, origin=ORIGIN)
    tree = MemoryTree()
    for i in range(5):
        tree.append(b"e%d" % i)
    first = witness.observe(_signed(tree, log), [])  # type: ignore[arg-type]
    assert len(first.note.signatures) == 2
    for i in range(5, 9):
        tree.append(b"e%d" % i)
    witness.observe(_signed(tree, log), tree.consistency_proof(5))  # type: ignore[arg-type]
    assert witness.last is not None and witness.last.size == 9
    with pytest.raises(WitnessAlarm, match="rolled back"):
        witness.observe(_signed(tree, log, 7), [])  # type: ignore[arg-type]
    fork = MemoryTree([leaf for leaf in (b"\x07" * 32,) * 12])
    with pytest.raises(WitnessAlarm, match="forked"):
        witness.observe(Checkpoint(ORIGIN, 12, fork.root()).sign([log]), fork.consistency_proof(9))
    assert witness.last.size == 9  # an alarm leaves what was cosigned as it was
    with pytest.raises(UnknownKey):
        witness.observe(_signed(tree, Ed25519Signer.generate(ORIGIN)), [])  # type: ignore[arg-type]
