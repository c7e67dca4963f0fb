"""Witness cosignatures (c2sp.org/tlog-cosignature, Ed25519 type 0x04) and the witness quorum."""

from __future__ import annotations

import datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from localgov.transparency import (
    COSIGNATURE_V1,
    ED25519,
    Checkpoint,
    CosignatureVerifier,
    Cosigner,
    Ed25519Signer,
    Ed25519Verifier,
    InsufficientCosignatures,
    InvalidNoteSignature,
    MalformedKey,
    Note,
    NoteSignature,
    SignedCheckpoint,
    UnknownKey,
    cosignature_timestamp,
    key_id,
    open_note,
    parse_verifier_key,
)
from localgov.transparency.keys import cosigned_message
from tests.transparency.support import ROOTS, flip

ORIGIN = "log.example.gov.eg/permits"
T = 1_767_323_045  # 2026-01-02T03:04:05Z
MOMENT = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)


@pytest.fixture(scope="module")
def log() -> Ed25519Signer:
    return Ed25519Signer.from_seed(ORIGIN, b"\x11" * 32)


def _seed(i: int) -> bytes:
    return bytes([0x50 + i]) * 32


@pytest.fixture(scope="module")
def witnesses() -> list[Cosigner]:
    return [Cosigner.from_seed(f"witness{i}.example", _seed(i), clock=lambda: MOMENT) for i in range(3)]


@pytest.fixture(scope="module")
def signed(log: Ed25519Signer) -> SignedCheckpoint:
    return Checkpoint(ORIGIN, 8, ROOTS[8]).sign([log])


# -- the signed message and the signature bytes ------------------------------------------------


def test_the_cosigned_message_is_header_time_then_the_checkpoint() -> None:
    text = Checkpoint("example.com/behind-the-sofa", 20852163, ROOTS[1]).text.encode()
    assert cosigned_message(text, 1679315147) == b"cosignature/v1\ntime 1679315147\n" + text
    assert cosigned_message(text, 0) == b"cosignature/v1\ntime 0\n" + text


def test_a_cosignature_is_a_timestamp_then_an_ed25519_signature(
    witnesses: list[Cosigner], signed: SignedCheckpoint
) -> None:
    witness = witnesses[0]
    text = signed.checkpoint.text.encode()
    signature = witness.sign(text)
    assert len(signature) == 72
    assert signature[:8] == T.to_bytes(8, "big")
    assert cosignature_timestamp(signature) == T
    # Checked with the bare Ed25519 primitive, not through the code under test.
    public = Ed25519PublicKey.from_public_bytes(witness.verifier.public_key)
    public.verify(signature[8:], b"cosignature/v1\ntime %d\n" % T + text)
    assert witness.verifier.verify(text, signature)
    assert witness.sign_at(text, T) == signature  # Ed25519 is deterministic; the clock gave T


def test_the_key_id_uses_type_0x04(witnesses: list[Cosigner]) -> None:
    witness = witnesses[0]
    public = witness.verifier.public_key
    assert COSIGNATURE_V1 == 0x04 and ED25519 == 0x01
    assert witness.key_id == key_id(witness.name, 0x04, public)
    assert witness.key_id != key_id(witness.name, 0x01, public)
    assert witness.verifier.vkey.startswith(f"{witness.name}+{witness.key_id:08x}+B")  # 0x04
    assert parse_verifier_key(witness.verifier.vkey) == witness.verifier


def test_a_cosignature_is_not_a_plain_signature(witnesses: list[Cosigner], signed: SignedCheckpoint) -> None:
    witness = witnesses[0]
    text = signed.checkpoint.text.encode()
    signature = witness.sign(text)
    plain = Ed25519Verifier(witness.name, witness.verifier.public_key)
    assert not plain.verify(text, signature[8:])
    assert not plain.verify(text, signature)
    log_style = Ed25519Signer.from_seed(witness.name, _seed(0)).sign(text)
    assert not witness.verifier.verify(text, T.to_bytes(8, "big") + log_style)


def test_the_timestamp_is_signed(witnesses: list[Cosigner], signed: SignedCheckpoint) -> None:
    text = signed.checkpoint.text.encode()
    signature = witnesses[0].sign(text)
    later = (T + 1).to_bytes(8, "big") + signature[8:]
    assert not witnesses[0].verifier.verify(text, later)
    assert not witnesses[0].verifier.verify(text, flip(signature, 70))
    assert not witnesses[0].verifier.verify(text.replace(b"\n8\n", b"\n9\n"), signature)


@pytest.mark.parametrize("length", [0, 8, 64, 71, 73])
def test_a_cosignature_of_the_wrong_length(witnesses: list[Cosigner], signed: SignedCheckpoint, length: int) -> None:
    text = signed.checkpoint.text.encode()
    assert not witnesses[0].verifier.verify(text, witnesses[0].sign(text)[:length].ljust(length, b"\0"))
    with pytest.raises(MalformedKey, match=f"a v1 cosignature is 72 bytes, not {length}"):
        cosignature_timestamp(bytes(length))


def test_timestamps_above_2_63_are_refused(witnesses: list[Cosigner], signed: SignedCheckpoint) -> None:
    text = signed.checkpoint.text.encode()
    assert witnesses[0].verifier.verify(text, witnesses[0].sign_at(text, 2**63 - 1))
    for bad in (2**63, 2**64 - 1, -1):
        with pytest.raises(MalformedKey, match=f"a cosignature timestamp is below 2\\^63, not {bad}"):
            witnesses[0].sign_at(text, bad)
    # A signature over a timestamp the spec forbids does not verify, even if the bytes are right.
    private = Ed25519PrivateKey.from_private_bytes(_seed(0))
    forged = (2**63).to_bytes(8, "big") + private.sign(cosigned_message(text, 2**63))
    assert not witnesses[0].verifier.verify(text, forged)


def test_only_checkpoint_shaped_texts_are_cosigned(witnesses: list[Cosigner]) -> None:
    for text in (b"one\n", b"one\ntwo\n"):
        assert not witnesses[0].verifier.verify(text, witnesses[0].sign_at(text, T))
    assert witnesses[0].verifier.verify(b"a\nb\nc\n", witnesses[0].sign_at(b"a\nb\nc\n", T))


def test_the_spec_example_cosignature_line() -> None:
    note = Note.parse(
        "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n"
        "\u2014 example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/"
        "Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n"
        "\u2014 witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrD"
        "JsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==\n"
    )
    cosignature = note.signatures[1]
    assert (cosignature.name, cosignature.key_id) == ("witness.example.com/w1", 0x8D66CF3F)
    assert cosignature_timestamp(cosignature.signature) == 1679315147  # the spec's "time" line


# -- the quorum ---------------------------------------------------------------------------------


def _cosigned(signed: SignedCheckpoint, witnesses: list[Cosigner]) -> SignedCheckpoint:
    return SignedCheckpoint.parse(str(signed.add_signatures(witnesses)))


def test_cosignatures_are_added_after_the_log_signature(
    log: Ed25519Signer, signed: SignedCheckpoint, witnesses: list[Cosigner]
) -> None:
    cosigned = _cosigned(signed, witnesses)
    names = [s.name for s in cosigned.note.signatures]
    assert names == [ORIGIN, "witness0.example", "witness1.example", "witness2.example"]
    assert cosigned.note.text == signed.checkpoint.text
    verified = cosigned.verify([log.verifier], origin=ORIGIN, witness_keys=[w.verifier for w in witnesses], quorum=3)
    assert verified.log_signatures == signed.note.signatures
    assert verified.cosignatures == cosigned.note.signatures[1:]
    assert [cosignature_timestamp(s.signature) for s in verified.cosignatures] == [T, T, T]


def test_too_few_trusted_witnesses(log: Ed25519Signer, signed: SignedCheckpoint, witnesses: list[Cosigner]) -> None:
    cosigned = _cosigned(signed, witnesses[:2])
    keys = [w.verifier for w in witnesses]
    assert len(cosigned.verify([log.verifier], origin=ORIGIN, witness_keys=keys, quorum=2).cosignatures) == 2
    with pytest.raises(
        InsufficientCosignatures,
        match=f"2 trusted witnesses cosigned the checkpoint of {ORIGIN}, the policy asks for 3",
    ):
        cosigned.verify([log.verifier], origin=ORIGIN, witness_keys=keys, quorum=3)


def test_untrusted_witnesses_are_ignored(
    log: Ed25519Signer, signed: SignedCheckpoint, witnesses: list[Cosigner]
) -> None:
    cosigned = _cosigned(signed, witnesses)
    trusted = [witnesses[0].verifier, witnesses[2].verifier]
    verified = cosigned.verify([log.verifier], origin=ORIGIN, witness_keys=trusted, quorum=2)
    assert [s.name for s in verified.cosignatures] == ["witness0.example", "witness2.example"]
    with pytest.raises(InsufficientCosignatures, match="2 trusted witnesses"):
        cosigned.verify([log.verifier], origin=ORIGIN, witness_keys=trusted, quorum=3)
    assert cosigned.verify([log.verifier], origin=ORIGIN).cosignatures == ()


def test_one_witness_cosigning_twice_counts_once(
    log: Ed25519Signer, signed: SignedCheckpoint, witnesses: list[Cosigner]
) -> None:
    once = signed.add_signatures([witnesses[0]]).note.signatures
    twice = NoteSignature(
        once[1].name, once[1].key_id, witnesses[0].sign_at(signed.checkpoint.text.encode(), T + 60)
    )  # a later cosignature, a different line
    doubled = SignedCheckpoint(signed.checkpoint, Note(signed.checkpoint.text, (*once, twice)))
    with pytest.raises(InsufficientCosignatures, match="1 trusted witnesses"):
        doubled.verify([log.verifier], origin=ORIGIN, witness_keys=[witnesses[0].verifier], quorum=2)


def test_recosigning_replaces_the_witness_line(signed: SignedCheckpoint, witnesses: list[Cosigner]) -> None:
    once = signed.add_signatures([witnesses[0]])
    later = Cosigner(
        witnesses[0].name,
        Ed25519PrivateKey.from_private_bytes(_seed(0)),
        clock=lambda: MOMENT + datetime.timedelta(minutes=5),
    )
    again = once.add_signatures([later])
    assert len(again.note.signatures) == 2
    assert cosignature_timestamp(again.note.signatures[1].signature) == T + 300


def test_a_bad_cosignature_by_a_trusted_witness_refuses_the_checkpoint(
    log: Ed25519Signer, signed: SignedCheckpoint, witnesses: list[Cosigner]
) -> None:
    cosigned = signed.add_signatures(witnesses[:1])
    line = cosigned.note.signatures[1]
    forged = NoteSignature(line.name, line.key_id, flip(line.signature, 40))
    bad = SignedCheckpoint(signed.checkpoint, Note(signed.checkpoint.text, (signed.note.signatures[0], forged)))
    with pytest.raises(InvalidNoteSignature, match="the signature by witness0.example"):
        bad.verify([log.verifier], origin=ORIGIN, witness_keys=[witnesses[0].verifier])
    # Not trusting that witness, the same checkpoint is fine: its line is ignored.
    assert bad.verify([log.verifier], origin=ORIGIN).cosignatures == ()


def test_a_cosignature_of_another_checkpoint_does_not_carry_over(
    log: Ed25519Signer, signed: SignedCheckpoint, witnesses: list[Cosigner]
) -> None:
    other = Checkpoint(ORIGIN, 9, ROOTS[8]).sign([log]).add_signatures(witnesses[:1])
    spliced = SignedCheckpoint(
        signed.checkpoint, Note(signed.checkpoint.text, (signed.note.signatures[0], other.note.signatures[1]))
    )
    with pytest.raises(InvalidNoteSignature):
        spliced.verify([log.verifier], origin=ORIGIN, witness_keys=[witnesses[0].verifier])


def test_cosignatures_cover_extension_lines(log: Ed25519Signer, witnesses: list[Cosigner]) -> None:
    with_ext = Checkpoint(ORIGIN, 8, ROOTS[8], ("note line",)).sign([log])
    cosigned = with_ext.add_signatures(witnesses[:1])
    assert (
        cosigned.verify([log.verifier], origin=ORIGIN, witness_keys=[witnesses[0].verifier], quorum=1).cosignatures
        == cosigned.note.signatures[1:]
    )
    without = Checkpoint(ORIGIN, 8, ROOTS[8]).sign([log])
    moved = SignedCheckpoint(
        without.checkpoint, Note(without.checkpoint.text, (without.note.signatures[0], cosigned.note.signatures[1]))
    )
    with pytest.raises(InvalidNoteSignature):
        moved.verify([log.verifier], origin=ORIGIN, witness_keys=[witnesses[0].verifier])


def test_the_cosigner_clock_defaults_to_now(signed: SignedCheckpoint) -> None:
    witness = Cosigner.from_seed("witness.example", b"\x77" * 32)
    before = int(datetime.datetime.now(datetime.UTC).timestamp())
    stamp = cosignature_timestamp(witness.sign(signed.checkpoint.text.encode()))
    after = int(datetime.datetime.now(datetime.UTC).timestamp())
    assert before <= stamp <= after


@pytest.mark.parametrize("length", [0, 31])
def test_a_cosigner_seed_is_32_bytes(length: int) -> None:
    with pytest.raises(MalformedKey, match=f"an Ed25519 seed is 32 bytes, not {length}"):
        Cosigner.from_seed("w", bytes(length))


def test_a_cosigner_name_follows_the_key_name_rules() -> None:
    with pytest.raises(MalformedKey, match="invalid key name"):
        Cosigner.from_seed("bad name", bytes(32))
    with pytest.raises(MalformedKey, match="invalid key name"):
        CosignatureVerifier("a+b", bytes(32))


# -- a real checkpoint, cosigned by four public witnesses ---------------------------------------

REAL_ORIGIN = "arche2025h1.staging.ct.transparency.dev"
REAL = (
    "arche2025h1.staging.ct.transparency.dev\n1432088532\nU7WM79jrzyhGZ5/GUBTpM7NzwdyfFx61t3RovgcC4Ro=\n"
    "\n"
    "\u2014 arche2025h1.staging.ct.transparency.dev zTM8sQAAAZ5W0WdjBAMARjBEAiBjW5IQf9pvsYLfQFX6hoGREPM"
    "HbdQ3urbllzalApkptQIgIpwtEroeW2BXaHAI4kJXFbon5Ch9MNL5zRNZ55lvGt0=\n"
    "\u2014 arche2025h1.staging.ct.transparency.dev ui8GwCF1+kWqZrxGdhj4aX3gcw7XUlXQQabg/27lefwhUkzbC3N"
    "ygNI75MdhL1bfTW9g8Ei59RA23oHP7Ry1k3ZFWwQ=\n"
    "\u2014 transparency.dev/DEV:witness-little-garden 2AQqhwAAAABqEiEgzgFIqqhbUoDwjMWE6UP8nd8/KYTzwZ2"
    "rhIgcqoXHAwVkjZr4AscylP3v7sEodkRAErumC2q44vdgJY096st5BQ==\n"
    "\u2014 witness1.smartit.nu/witness1 pIyCDwAAAABqEiEghIp82KWebrw7/oHQwlTAm3g2RKS4+eebl8eO0WH+/iEcx"
    "Z75W3u5hNI7TOQtmJbqmNWVuE0tgh0XwzdZsDsUAQ==\n"
    "\u2014 remora.n621.de 2net5wAAAABqEiEgPlfF3V06o0Y+fHM+J5J9s27wgxxcOVSpZ/2g/KSiXCg9DEZI+aVCIobWX9sX"
    "Tynk5XeU/zZ0WBxtqB0DrAWfBw==\n"
    "\u2014 witness.stagemole.eu Z/euoAAAAABqEiEgw0i+7g2ENfDAWHmtRzCfKTHSDwYDJA2NmKeGi9Y8FtEyOUvVr+AJmIY"
    "/2TUFucgKi7lI7cUiOvKFYe/TmN9DAg==\n"
)
REAL_LOG = "arche2025h1.staging.ct.transparency.dev+ba2f06c0+AU0vHmlGCS/PdN8b2OaGmKprLI8HKM+dJ472xgFYh15f"
REAL_WITNESSES = [
    "transparency.dev/DEV:witness-little-garden+d8042a87+BCtusOxINQNUTN5Oj8HObRkh2yHf/MwYaGX4CPdiVEPM",
    "witness1.smartit.nu/witness1+a48c820f+BPSFWg9G6KPiO7QPryYO5Xq4oYJJ+kAvLKLSimDhoxMO",
    "remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2",
    "witness.stagemole.eu+67f7aea0+BEqSG3yu9YrmcM3BHvQYTxwFj3uSWakQepafafpUqklv",
]


def test_a_real_checkpoint_verifies_with_four_public_witnesses() -> None:
    signed = SignedCheckpoint.parse(REAL)
    assert str(signed) == REAL
    assert (signed.checkpoint.size, signed.checkpoint.origin) == (1432088532, REAL_ORIGIN)
    witnesses = [parse_verifier_key(vkey) for vkey in REAL_WITNESSES]
    assert all(isinstance(w, CosignatureVerifier) for w in witnesses)
    verified = signed.verify([parse_verifier_key(REAL_LOG)], origin=REAL_ORIGIN, witness_keys=witnesses, quorum=4)
    assert verified.log_signatures == (signed.note.signatures[1],)  # the type 0x01 one
    assert verified.cosignatures == signed.note.signatures[2:]
    assert {cosignature_timestamp(s.signature) for s in verified.cosignatures} == {1779573024}
    with pytest.raises(InsufficientCosignatures, match="4 trusted witnesses"):
        signed.verify([parse_verifier_key(REAL_LOG)], origin=REAL_ORIGIN, witness_keys=witnesses, quorum=5)
    # The log's other line (an RFC 6962 tree head signature, type 0x05) is by a key not configured.
    opened = open_note(REAL, [parse_verifier_key(REAL_LOG)])
    assert opened.unverified[0] == signed.note.signatures[0]


def test_a_real_checkpoint_with_its_size_changed_is_refused() -> None:
    forged = REAL.replace("\n1432088532\n", "\n1432088533\n")
    witnesses = [parse_verifier_key(vkey) for vkey in REAL_WITNESSES]
    with pytest.raises(InvalidNoteSignature):
        SignedCheckpoint.parse(forged).verify([parse_verifier_key(REAL_LOG)], origin=REAL_ORIGIN)
    with pytest.raises(InvalidNoteSignature):  # each witness alone refuses it too
        SignedCheckpoint.parse(forged).verify([], origin=REAL_ORIGIN, witness_keys=witnesses[2:3])
    with pytest.raises(UnknownKey):
        SignedCheckpoint.parse(REAL).verify(witnesses[:0], origin=REAL_ORIGIN)
