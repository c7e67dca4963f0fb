"""Checkpoints (c2sp.org/tlog-checkpoint): the text format, its parse errors, signing and verifying."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from localgov.transparency import (
    Checkpoint,
    CheckpointError,
    Ed25519Signer,
    InsufficientCosignatures,
    InvalidNoteSignature,
    MalformedCheckpoint,
    MalformedNote,
    MemoryTree,
    Note,
    SignedCheckpoint,
    UnknownKey,
    VerifiedCheckpoint,
    WrongOrigin,
    open_note,
    sign_note,
)
from tests.transparency.support import ROOTS, flip

ORIGIN = "log.example.gov.eg/permits"
ROOT = ROOTS[8]
ROOT_B64 = base64.b64encode(ROOT).decode()

# The example of c2sp.org/tlog-checkpoint and c2sp.org/tlog-cosignature.
SPEC_TEXT = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"


@pytest.fixture(scope="module")
def log() -> Ed25519Signer:
    return Ed25519Signer.from_seed(ORIGIN, b"\x11" * 32)


@pytest.fixture(scope="module")
def signed(log: Ed25519Signer) -> SignedCheckpoint:
    return Checkpoint(ORIGIN, 8, ROOT).sign([log])


# -- the text -----------------------------------------------------------------------------------


def test_the_text_is_origin_size_and_root_each_on_a_line() -> None:
    checkpoint = Checkpoint(ORIGIN, 8, ROOT)
    assert checkpoint.text == f"{ORIGIN}\n8\n{ROOT_B64}\n"
    assert ROOT_B64 == "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg="
    assert Checkpoint.parse(checkpoint.text) == checkpoint


def test_extension_lines_follow_the_root() -> None:
    checkpoint = Checkpoint(ORIGIN, 8, ROOT, ("ext one", "\u0627\u0645\u062a\u062f\u0627\u062f"))
    assert checkpoint.text == f"{ORIGIN}\n8\n{ROOT_B64}\next one\n\u0627\u0645\u062a\u062f\u0627\u062f\n"
    assert Checkpoint.parse(checkpoint.text) == checkpoint
    assert Checkpoint.parse(checkpoint.text).extensions == ("ext one", "\u0627\u0645\u062a\u062f\u0627\u062f")


def test_the_spec_example() -> None:
    checkpoint = Checkpoint.parse(SPEC_TEXT)
    assert checkpoint.origin == "example.com/behind-the-sofa"
    assert checkpoint.size == 20852163
    assert checkpoint.root_hash == base64.b64decode("CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=")
    assert checkpoint.extensions == ()
    assert checkpoint.text == SPEC_TEXT


@pytest.mark.parametrize("size", [0, 1, 10, 2**63, 2**64 - 1])
def test_sizes_are_decimal_uint64(size: int) -> None:
    checkpoint = Checkpoint(ORIGIN, size, ROOT)
    assert checkpoint.text.split("\n")[1] == str(size)
    assert Checkpoint.parse(checkpoint.text).size == size


@pytest.mark.parametrize("size", [-1, 2**64])
def test_a_size_outside_uint64_is_refused(size: int) -> None:
    with pytest.raises(MalformedCheckpoint, match=f"tree size {size} is not a uint64"):
        Checkpoint(ORIGIN, size, ROOT)
    with pytest.raises(MalformedCheckpoint, match="not a uint64" if size > 0 else "leading zeroes"):
        Checkpoint.parse(f"{ORIGIN}\n{size}\n{ROOT_B64}\n")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (f"{ORIGIN}\n8\n{ROOT_B64}", "a checkpoint's text ends with a newline"),
        (f"{ORIGIN}\n8\n", "a checkpoint has at least 3 lines, not 2"),
        ("\n", "at least 3 lines, not 1"),
        (f"{ORIGIN}\n08\n{ROOT_B64}\n", "tree size '08' is not a decimal without leading zeroes"),
        (f"{ORIGIN}\n00\n{ROOT_B64}\n", "tree size '00'"),
        (f"{ORIGIN}\n+8\n{ROOT_B64}\n", "tree size '\\+8'"),
        (f"{ORIGIN}\n8.0\n{ROOT_B64}\n", "tree size '8.0'"),
        (f"{ORIGIN}\n 8\n{ROOT_B64}\n", "tree size ' 8'"),
        (f"{ORIGIN}\n0x8\n{ROOT_B64}\n", "tree size '0x8'"),
        (f"{ORIGIN}\n\n{ROOT_B64}\n", "tree size ''"),
        (f"{ORIGIN}\n\u0668\n{ROOT_B64}\n", "tree size '\u0668'"),  # an Arabic-Indic eight
        (f"{ORIGIN}\n8\n!{ROOT_B64[1:]}\n", "the root hash '!.*' is not base64"),
        (f"{ORIGIN}\n8\n{ROOT_B64[:-1]}\n", "is not base64"),
        (f"{ORIGIN}\n8\n{ROOT_B64.replace('g=', 'h=')}\n", "is not canonical base64"),
        (f"{ORIGIN}\n8\n\u0410{ROOT_B64[1:]}\n", "is not base64"),
        (f"{ORIGIN}\n8\n{base64.b64encode(ROOT[:31]).decode()}\n", "the root hash is 32 bytes, not 31"),
        (f"{ORIGIN}\n8\n\n", "the root hash is 32 bytes, not 0"),
        (f"\n8\n{ROOT_B64}\n", "the origin line is empty"),
        (f"{ORIGIN}\t\n8\n{ROOT_B64}\n", "the origin line contains a control character"),
        (f"{ORIGIN}\n8\n{ROOT_B64}\n\n", "the extension line is empty"),
        (f"{ORIGIN}\n8\n{ROOT_B64}\next\r\n", "the extension line contains a control character"),
    ],
)
def test_malformed_checkpoints(text: str, reason: str) -> None:
    with pytest.raises(MalformedCheckpoint, match=reason):
        Checkpoint.parse(text)


@pytest.mark.parametrize(
    ("origin", "extensions", "reason"),
    [
        ("", (), "the origin line is empty"),
        ("a\nb", (), "the origin line contains a control character or newline"),
        (ORIGIN, ("",), "the extension line is empty"),
        (ORIGIN, ("two\nlines",), "the extension line contains a control character or newline"),
    ],
)
def test_checkpoints_that_cannot_be_written(origin: str, extensions: tuple[str, ...], reason: str) -> None:
    with pytest.raises(MalformedCheckpoint, match=reason):
        Checkpoint(origin, 1, ROOT, extensions)


@pytest.mark.parametrize("length", [0, 31, 33])
def test_a_root_hash_is_32_bytes(length: int) -> None:
    with pytest.raises(MalformedCheckpoint, match=f"the root hash is 32 bytes, not {length}"):
        Checkpoint(ORIGIN, 1, bytes(length))


_lines = st.lists(
    st.one_of(
        st.text(max_size=12),
        st.sampled_from([ORIGIN, "0", "8", "08", "-0", ROOT_B64, ROOT_B64[:-1], ROOT_B64 + "=", "", " "]),
    ),
    max_size=6,
)


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(max_size=120), _lines.map(lambda lines: "".join(f"{x}\n" for x in lines))))
def test_any_text_parses_exactly_or_is_a_checkpoint_error(text: str) -> None:
    try:
        checkpoint = Checkpoint.parse(text)
    except CheckpointError as exc:
        assert isinstance(exc, MalformedCheckpoint)
        return
    assert checkpoint.text == text  # only the canonical spelling is accepted


@settings(max_examples=200, deadline=None)
@given(
    st.integers(0, 2**64 - 1),
    st.binary(min_size=32, max_size=32),
    st.lists(
        st.text(st.characters(min_codepoint=0x20, exclude_categories=("Cs",)), min_size=1, max_size=10), max_size=3
    ),
)
def test_any_checkpoint_round_trips(size: int, root: bytes, extensions: list[str]) -> None:
    checkpoint = Checkpoint(ORIGIN, size, root, tuple(extensions))
    assert Checkpoint.parse(checkpoint.text) == checkpoint


# -- signing and verifying --------------------------------------------------------------------


def test_a_signed_checkpoint_is_a_signed_note(log: Ed25519Signer, signed: SignedCheckpoint) -> None:
    assert signed.note.text == signed.checkpoint.text
    assert str(signed) == str(signed.note)
    assert str(signed).startswith(signed.checkpoint.text + "\n\u2014 " + ORIGIN + " ")
    assert open_note(str(signed), [log.verifier]).text == signed.checkpoint.text
    assert SignedCheckpoint.parse(str(signed)) == signed
    assert SignedCheckpoint.parse(str(signed).encode()) == signed


def test_verify_checks_the_origin_and_the_log_signature(log: Ed25519Signer, signed: SignedCheckpoint) -> None:
    verified = SignedCheckpoint.parse(str(signed)).verify([log.verifier], origin=ORIGIN)
    assert verified == VerifiedCheckpoint(signed.checkpoint, signed.note.signatures, ())
    assert verified.checkpoint.size == 8
    assert verified.checkpoint.root_hash == ROOT
    assert verified.log_signatures[0].name == ORIGIN


def test_the_verified_root_is_the_tree_that_was_signed(log: Ed25519Signer) -> None:
    tree = MemoryTree()
    for i in range(100):
        tree.append(b"permit %d" % i)
    signed = Checkpoint(ORIGIN, tree.size, tree.root()).sign([log])
    verified = SignedCheckpoint.parse(str(signed)).verify([log.verifier], origin=ORIGIN)
    assert (verified.checkpoint.size, verified.checkpoint.root_hash) == (100, tree.root())


def test_a_checkpoint_for_another_log_is_refused(log: Ed25519Signer, signed: SignedCheckpoint) -> None:
    with pytest.raises(
        WrongOrigin,
        match="the checkpoint is for log 'log.example.gov.eg/permits', not 'log.example.gov.eg/revocations'",
    ):
        signed.verify([log.verifier], origin="log.example.gov.eg/revocations")
    with pytest.raises(WrongOrigin):  # the origin is checked first, whoever signed
        signed.verify([], origin="elsewhere")


def test_a_checkpoint_signed_by_no_trusted_key_is_refused(signed: SignedCheckpoint) -> None:
    stranger = Ed25519Signer.from_seed(ORIGIN, b"\x22" * 32)  # same name, other key
    with pytest.raises(UnknownKey, match=f"the checkpoint of {ORIGIN} is signed by no trusted key"):
        signed.verify([stranger.verifier], origin=ORIGIN)
    with pytest.raises(UnknownKey):
        signed.verify([], origin=ORIGIN)


def test_a_checkpoint_signed_only_by_a_witness_is_refused(log: Ed25519Signer, signed: SignedCheckpoint) -> None:
    other = Ed25519Signer.from_seed("witness.example/w1", b"\x33" * 32)
    witnessed_only = SignedCheckpoint(signed.checkpoint, sign_note(signed.checkpoint.text, [other]))
    with pytest.raises(UnknownKey, match=f"the checkpoint of {ORIGIN} is not signed by the log's key"):
        witnessed_only.verify([log.verifier], origin=ORIGIN, witness_keys=[other.verifier])


def test_a_forged_checkpoint_is_refused(log: Ed25519Signer, signed: SignedCheckpoint) -> None:
    for forged in (
        Checkpoint(ORIGIN, 9, ROOT),
        Checkpoint(ORIGIN, 8, flip(ROOT)),
        Checkpoint(ORIGIN, 8, ROOT, ("added",)),
    ):
        message = forged.text + "\n" + signed.note.signatures[0].line
        with pytest.raises(InvalidNoteSignature):
            SignedCheckpoint.parse(message).verify([log.verifier], origin=ORIGIN)


def test_a_signed_checkpoint_holds_its_own_text(log: Ed25519Signer, signed: SignedCheckpoint) -> None:
    other = Checkpoint(ORIGIN, 9, ROOT)
    with pytest.raises(MalformedCheckpoint, match="the note's text is not the checkpoint's"):
        SignedCheckpoint(other, signed.note)


def test_a_note_that_is_not_a_checkpoint(log: Ed25519Signer) -> None:
    note = sign_note("just a text\n", [log])
    with pytest.raises(MalformedCheckpoint, match="at least 3 lines"):
        SignedCheckpoint.parse(str(note))
    with pytest.raises(MalformedNote):
        SignedCheckpoint.parse(Checkpoint(ORIGIN, 8, ROOT).text)  # no signature at all


def test_signing_with_no_key_is_refused() -> None:
    with pytest.raises(MalformedNote):
        Checkpoint(ORIGIN, 8, ROOT).sign([])


def test_a_quorum_without_witness_keys_is_not_met(log: Ed25519Signer, signed: SignedCheckpoint) -> None:
    assert signed.verify([log.verifier], origin=ORIGIN, quorum=0).cosignatures == ()
    with pytest.raises(
        InsufficientCosignatures,
        match=f"0 trusted witnesses cosigned the checkpoint of {ORIGIN}, the policy asks for 1",
    ):
        signed.verify([log.verifier], origin=ORIGIN, quorum=1)


def test_the_log_key_listed_as_a_witness_does_not_count(log: Ed25519Signer, signed: SignedCheckpoint) -> None:
    with pytest.raises(InsufficientCosignatures):
        signed.verify([log.verifier], origin=ORIGIN, witness_keys=[log.verifier], quorum=1)


def test_two_log_keys_either_of_which_signs(signed: SignedCheckpoint, log: Ed25519Signer) -> None:
    rotated = Ed25519Signer.from_seed(ORIGIN, b"\x44" * 32)
    both = signed.add_signatures([rotated])
    assert len(both.note.signatures) == 2
    verified = both.verify([log.verifier, rotated.verifier], origin=ORIGIN)
    assert len(verified.log_signatures) == 2
    assert both.verify([rotated.verifier], origin=ORIGIN).log_signatures == (both.note.signatures[1],)
    assert Note.parse(str(both)) == both.note
