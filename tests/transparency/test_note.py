"""Signed notes (c2sp.org/signed-note) and their keys, against golang.org/x/mod/sumdb/note's vectors."""

from __future__ import annotations

import base64

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from localgov.transparency import (
    ED25519,
    MAX_SIGNATURES,
    AmbiguousKey,
    CosignatureVerifier,
    Ed25519Signer,
    Ed25519Verifier,
    InvalidNoteSignature,
    MalformedKey,
    MalformedNote,
    Note,
    NoteError,
    NoteSignature,
    TooManySignatures,
    TransparencyError,
    UnknownKey,
    key_id,
    open_note,
    parse_signer_key,
    parse_verifier_key,
    sign_note,
)
from localgov.transparency.note import is_valid_key_name

# golang.org/x/mod/sumdb/note, note_test.go.
SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
PETER_B64 = "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM="
ENOCH_B64 = "rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ="
PETER_SIG = f"\u2014 PeterNeumann {PETER_B64}\n"
ENOCH_SIG = f"\u2014 EnochRoot {ENOCH_B64}\n"

# The example of c2sp.org/signed-note.
SPEC_VKEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
SPEC_NOTE = (
    "This is an example message.\n\n\u2014 example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6Tf"
    "Xppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n"
)


def _signature(b64: str, name: str) -> NoteSignature:
    raw = base64.b64decode(b64)
    return NoteSignature(name, int.from_bytes(raw[:4], "big"), raw[4:])


PETER = _signature(PETER_B64, "PeterNeumann")
ENOCH = _signature(ENOCH_B64, "EnochRoot")


@pytest.fixture(scope="module")
def peter() -> Ed25519Verifier:
    verifier = parse_verifier_key(VKEY)
    assert isinstance(verifier, Ed25519Verifier)
    return verifier


@pytest.fixture(scope="module")
def enoch() -> Ed25519Verifier:
    verifier = parse_verifier_key(ENOCH_VKEY)
    assert isinstance(verifier, Ed25519Verifier)
    return verifier


# -- the Go reference vectors ---------------------------------------------------------------------


def test_the_go_signer_key(peter: Ed25519Verifier) -> None:
    signer = parse_signer_key(SKEY)
    assert signer.name == "PeterNeumann"
    assert signer.key_id == 0xC74F20A3 == peter.key_id
    assert signer.skey == SKEY
    assert signer.verifier == peter
    assert signer.verifier.vkey == peter.vkey == VKEY
    assert key_id("PeterNeumann", ED25519, peter.public_key) == 0xC74F20A3


def test_the_go_signature_renders_byte_for_byte(peter: Ed25519Verifier) -> None:
    note = sign_note(TEXT, [parse_signer_key(SKEY)])
    assert str(note) == TEXT + "\n" + PETER_SIG
    assert note.signatures == (PETER,)
    opened = open_note(str(note), [peter])
    assert opened.text == TEXT
    assert opened.verified == (PETER,)
    assert opened.unverified == ()
    assert opened.note == note
    assert opened.signed_by(peter)


def test_signing_replaces_a_signature_by_the_same_key_and_keeps_the_others() -> None:
    signer = parse_signer_key(SKEY)
    stale = NoteSignature("PeterNeumann", 0xC74F20A3, b"BADSIGN")
    assert str(sign_note(TEXT, [signer], [stale])) == TEXT + "\n" + PETER_SIG
    assert str(sign_note(TEXT, [signer], [ENOCH, stale])) == TEXT + "\n" + ENOCH_SIG + PETER_SIG


def test_enoch_root_is_the_all_zero_seed() -> None:
    enoch = Ed25519Signer.from_seed("EnochRoot", bytes(32))
    assert enoch.verifier.vkey == ENOCH_VKEY
    assert str(sign_note(TEXT, [enoch])) == TEXT + "\n" + ENOCH_SIG
    both = sign_note(TEXT, [parse_signer_key(SKEY), enoch])
    assert str(both) == TEXT + "\n" + PETER_SIG + ENOCH_SIG


def test_the_signed_note_spec_example_verifies() -> None:
    opened = open_note(SPEC_NOTE, [parse_verifier_key(SPEC_VKEY)])
    assert opened.text == "This is an example message.\n"
    assert [(s.name, s.key_id) for s in opened.verified] == [("example.com/foo", 0x530D903A)]


def test_one_key_known_one_not(peter: Ed25519Verifier, enoch: Ed25519Verifier) -> None:
    opened = open_note(TEXT + "\n" + PETER_SIG + ENOCH_SIG, [peter])
    assert opened.verified == (PETER,)
    assert opened.unverified == (ENOCH,)
    assert opened.signed_by(peter) and not opened.signed_by(enoch)


def test_both_keys_known(peter: Ed25519Verifier, enoch: Ed25519Verifier) -> None:
    opened = open_note(TEXT + "\n" + PETER_SIG + ENOCH_SIG, [peter, enoch])
    assert opened.verified == (PETER, ENOCH)
    assert opened.unverified == ()


def test_no_known_key_is_refused() -> None:
    with pytest.raises(
        UnknownKey,
        match=r"no signature by a trusted key \(signed by "
        r"PeterNeumann\+c74f20a3, EnochRoot\+af0cfe78\)",
    ):
        open_note(TEXT + "\n" + PETER_SIG + ENOCH_SIG, [])


def test_a_known_key_with_a_bad_signature_refuses_the_note(peter: Ed25519Verifier) -> None:
    at = len("\u2014 PeterNeumann ") + 40
    mangled = PETER_SIG[:at] + "ABCD" + PETER_SIG[at:]
    with pytest.raises(InvalidNoteSignature, match=r"the signature by PeterNeumann\+c74f20a3 does not verify"):
        open_note(TEXT + "\n" + mangled, [peter])
    with pytest.raises(InvalidNoteSignature):  # even next to a good signature by another key
        open_note(TEXT + "\n" + ENOCH_SIG + mangled, [peter, parse_verifier_key(ENOCH_VKEY)])
    with pytest.raises(InvalidNoteSignature):  # the text changed under the signature
        open_note(TEXT.replace("problem", "answer", 1) + "\n" + PETER_SIG, [peter])
    short = NoteSignature("PeterNeumann", 0xC74F20A3, b"\x01")  # far from 64 bytes
    with pytest.raises(InvalidNoteSignature):
        open_note(Note(TEXT, (short,)), [peter])


def test_duplicate_lines_count_once(peter: Ed25519Verifier) -> None:
    at = len("\u2014 EnochRoot ") + 44
    enoch_abcd = ENOCH_SIG[:at] + "ABCD" + ENOCH_SIG[at:]
    opened = open_note(TEXT + "\n" + PETER_SIG + PETER_SIG + ENOCH_SIG + ENOCH_SIG + enoch_abcd, [peter])
    assert opened.verified == (PETER,)
    assert opened.unverified == (ENOCH, NoteSignature.parse_line(enoch_abcd[:-1]))
    assert opened.note.signatures[:2] == (PETER, PETER)  # the note keeps every line as sent


def test_keys_sharing_a_name_or_an_id_but_not_both_are_other_keys(peter: Ed25519Verifier) -> None:
    same_name = NoteSignature("PeterNeumann", 0xC74F20A4, PETER.signature)
    same_id = NoteSignature("PeterNeuman", 0xC74F20A3, PETER.signature)
    for line in (same_name, same_id):
        with pytest.raises(UnknownKey):
            open_note(Note(TEXT, (line,)), [peter])
        opened = open_note(Note(TEXT, (line, PETER)), [peter])
        assert opened.verified == (PETER,)
        assert opened.unverified == (line,)


class Impostor:
    """A verifier that claims a trusted key's name and key ID, with a key of its own."""

    def __init__(self, name: str, key: int) -> None:
        self.name, self.key_id = name, key

    def verify(self, text: bytes, signature: bytes) -> bool:
        return True


def test_two_different_trusted_keys_with_one_name_and_id_are_ambiguous(
    peter: Ed25519Verifier, enoch: Ed25519Verifier
) -> None:
    impostor = Impostor("EnochRoot", 0xAF0CFE78)
    with pytest.raises(AmbiguousKey, match=r"two trusted keys are named EnochRoot\+af0cfe78"):
        open_note(TEXT + "\n" + ENOCH_SIG, [enoch, peter, impostor])
    with pytest.raises(AmbiguousKey):  # refused up front, even when no line uses the key
        open_note(TEXT + "\n" + PETER_SIG, [enoch, peter, impostor])
    # The same key listed twice is not ambiguous (golang.org/x/mod refuses this too; we do not).
    assert open_note(TEXT + "\n" + ENOCH_SIG, [enoch, peter, enoch]).verified == (ENOCH,)


def test_too_many_signatures(peter: Ed25519Verifier) -> None:
    assert MAX_SIGNATURES == 100
    assert open_note(TEXT + "\n" + PETER_SIG * 100, [peter]).verified == (PETER,)
    with pytest.raises(TooManySignatures, match="101 signature lines, at most 100 are read"):
        open_note(TEXT + "\n" + PETER_SIG * 101, [peter])
    with pytest.raises(TooManySignatures):
        Note.parse(TEXT + "\n" + PETER_SIG * 101)
    with pytest.raises(TooManySignatures):  # counted before any line is parsed
        Note.parse(TEXT + "\n" + PETER_SIG * 100 + "not a signature line\n")
    with pytest.raises(MalformedNote):
        Note.parse(TEXT + "\n" + PETER_SIG * 99 + "not a signature line\n")
    with pytest.raises(TooManySignatures, match="101 signature lines"):
        Note(TEXT, (PETER,) * 101)
    with pytest.raises(TooManySignatures):
        sign_note(TEXT, [parse_signer_key(SKEY)], [ENOCH] * 100)


def test_sixteen_signatures_are_accepted() -> None:
    signers = [Ed25519Signer.from_seed(f"w{i}.example", bytes([i]) * 32) for i in range(16)]
    note = sign_note(TEXT, signers)
    opened = open_note(str(note), [signer.verifier for signer in signers])
    assert len(opened.verified) == 16


# -- grammar ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        (TEXT, "no blank line separates the text from the signatures"),
        (TEXT + "\n", "a signed note has at least one signature line"),
        (TEXT + "\n" + PETER_SIG[:-1], "the last signature line must end with a newline"),
        ("\x01" + TEXT + "\n" + PETER_SIG, r"contains control character '\\x01'"),
        (TEXT.replace("\n", "\r\n") + "\r\n" + PETER_SIG, r"contains control character '\\r'"),
        (TEXT + "\t\n\n" + PETER_SIG, r"contains control character '\\t'"),
        (TEXT + "\n" + PETER_SIG.replace(" ", "\x00", 1), "control character"),
        (b"\xff" + (TEXT + "\n" + PETER_SIG).encode(), "the note is not valid UTF-8"),
        ("\ud800" + TEXT + "\n" + PETER_SIG, "the note is not valid UTF-8"),
        (TEXT + "\n" + "\u2014 Bad Name " + PETER_B64 + "\n", "not base64"),
        (TEXT + "\n" + PETER_SIG + "Unexpected line.\n", "a signature line starts with an em dash"),
        (TEXT + "\n" + PETER_SIG.replace("\u2014", "-"), "starts with an em dash and a space"),
        (TEXT + "\n" + PETER_SIG.replace("\u2014 ", "\u2014"), "starts with an em dash and a space"),
        (TEXT + "\n" + PETER_SIG.replace(" ", "  ", 1), "invalid key name"),
        (TEXT + "\n" + PETER_SIG.replace("PeterNeumann", "Peter+Neumann"), "invalid key name"),
        (TEXT + "\n" + PETER_SIG.replace("PeterNeumann", "Peter\u00a0Neumann"), "invalid key name"),
        (TEXT + "\n" + "\u2014 PeterNeumann" + PETER_B64 + "\n", "invalid key name"),
        (TEXT + "\n" + "\u2014 PeterNeumann \n", "shorter than a key ID and one byte"),
        (TEXT + "\n" + "\u2014 PeterNeumann AAAAAA==\n", "shorter than a key ID and one byte"),
        (TEXT + "\n" + PETER_SIG.replace("AM=", "AN="), "not canonical base64"),
        (TEXT + "\n" + PETER_SIG.replace("AM=", "AM"), "not base64"),
        (TEXT + "\n" + PETER_SIG.replace("AM=", "AM=="), "not base64"),
        (TEXT + "\n" + PETER_SIG.replace("/", "_"), "not base64"),
        (TEXT + "\n" + PETER_SIG.replace("x08go", "x08g o"), "not base64"),
    ],
)
def test_malformed_notes(peter: Ed25519Verifier, message: str | bytes, reason: str) -> None:
    with pytest.raises(MalformedNote, match=reason):
        Note.parse(message)
    with pytest.raises(MalformedNote, match=reason):
        open_note(message, [peter])


def test_a_blank_line_among_signatures_moves_them_into_the_text(peter: Ed25519Verifier) -> None:
    note = Note.parse(TEXT + "\n" + PETER_SIG + "\n" + PETER_SIG)
    assert note.text == TEXT + "\n" + PETER_SIG
    assert note.signatures == (PETER,)
    with pytest.raises(InvalidNoteSignature):
        open_note(note, [peter])


def test_a_five_byte_signature_parses() -> None:
    line = "\u2014 k " + base64.b64encode(b"\x00\x00\x00\x07x").decode()
    assert NoteSignature.parse_line(line) == NoteSignature("k", 7, b"x")


def test_the_last_blank_line_separates_text_that_has_blank_lines(peter: Ed25519Verifier) -> None:
    signer = parse_signer_key(SKEY)
    for text in ("a\n\nb\n", "a\n\n", "\n", "a\n\n\n\nb\n"):
        note = sign_note(text, [signer])
        parsed = Note.parse(str(note))
        assert parsed == note
        assert open_note(str(note), [peter]).text == text


def test_notes_open_from_str_bytes_or_a_note(peter: Ed25519Verifier) -> None:
    message = TEXT + "\n" + PETER_SIG
    note = Note.parse(message)
    assert Note.parse(message.encode()) == note
    for form in (message, message.encode(), note):
        assert open_note(form, [peter]).verified == (PETER,)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("no newline", "the note text must end with a newline"),
        ("", "the note text must end with a newline"),
        ("bell\x07\n", "the note text contains control character"),
        ("cr\r\n", "the note text contains control character"),
        ("half\ud800\n", "the note text is not valid UTF-8"),
    ],
)
def test_texts_that_cannot_be_signed(text: str, reason: str) -> None:
    with pytest.raises(MalformedNote, match=reason):
        sign_note(text, [parse_signer_key(SKEY)])
    with pytest.raises(MalformedNote, match=reason):
        Note(text, (PETER,))


def test_a_note_has_a_signature() -> None:
    with pytest.raises(MalformedNote, match="at least one signature line"):
        Note(TEXT, ())
    with pytest.raises(MalformedNote, match="at least one signature line"):
        sign_note(TEXT, [])


# -- key names and signature lines --------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "PeterNeumann",
        "example.com/foo",
        "oid/1.3.6.1.4.1",
        "sigsum.org/v1/tree/4d6d8825",
        "\u0648\u0632\u0627\u0631\u0629",
        "a\u2014b",
        "x",
    ],
)
def test_valid_key_names(name: str) -> None:
    assert is_valid_key_name(name)
    assert NoteSignature(name, 0, b"s").name == name
    assert Ed25519Signer.from_seed(name, bytes(32)).name == name


@pytest.mark.parametrize(
    "name",
    [
        "",
        "a b",
        "a+b",
        "+",
        "a\tb",
        "a\nb",
        "a\x00b",
        "a\x1fb",
        "a\u00a0b",
        "a\u2003b",
        "a\u3000b",
        "a\u2028b",
        "a\ud800b",
    ],
)
def test_invalid_key_names(name: str) -> None:
    assert not is_valid_key_name(name)
    with pytest.raises(MalformedNote, match="invalid key name"):
        NoteSignature(name, 0, b"s")
    with pytest.raises(MalformedKey, match="invalid key name"):
        Ed25519Verifier(name, bytes(32))
    with pytest.raises(MalformedKey, match="invalid key name"):
        Ed25519Signer.from_seed(name, bytes(32))


@pytest.mark.parametrize("key", [-1, 2**32])
def test_a_key_id_is_a_uint32(key: int) -> None:
    with pytest.raises(MalformedNote, match=f"key ID {key} is not a uint32"):
        NoteSignature("k", key, b"s")
    assert NoteSignature("k", 2**32 - 1, b"s").line == "\u2014 k /////3M=\n"


def test_a_signature_is_not_empty() -> None:
    with pytest.raises(MalformedNote, match="empty signature by k"):
        NoteSignature("k", 1, b"")


# -- key strings --------------------------------------------------------------------------------


def _manglings(key: str) -> list[str]:
    """golang.org/x/mod's TestNewVerifier: every proper substring and every byte incremented."""
    out = [key[i:j] for i in range(len(key) + 1) for j in range(i + 1, len(key) + 1) if (i, j) != (0, len(key))]
    out += [key[:i] + chr(ord(key[i]) + 1) + key[i + 1 :] for i in range(len(key))]
    return out


def test_every_mangling_of_the_verifier_key_is_refused() -> None:
    for mangled in _manglings(VKEY):
        with pytest.raises(MalformedKey):
            parse_verifier_key(mangled)


def test_every_mangling_of_the_signer_key_is_refused() -> None:
    for mangled in _manglings(SKEY):
        with pytest.raises(MalformedKey):
            parse_signer_key(mangled)


@pytest.mark.parametrize(
    ("vkey", "reason"),
    [
        ("PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==", "base64"),
        ("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "unsupported signature type 0x65"),
        (
            "PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
            "8 lowercase hex digits, not 'C74F20A3'",
        ),
        (
            "PeterNeumann+00000000+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
            "says key ID 00000000, its key hashes to c74f20a3",
        ),
        ("PeterNeumann+c74f20a3+", "not canonical, non-empty base64"),
        ("PeterNeumann+c74f20a3+AQ==", "an Ed25519 public key is 32 bytes, not 0"),
        ("PeterNeumann+c74f20a3+Ag==", "unsupported signature type 0x02"),
        ("Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "invalid key name"),
        ("+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "invalid key name"),
        ("PeterNeumann+c74f20a3+\u0410Rpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "not base64"),
    ],
)
def test_malformed_verifier_keys(vkey: str, reason: str) -> None:
    with pytest.raises(MalformedKey, match=reason):
        parse_verifier_key(vkey)


def test_a_cosignature_verifier_key() -> None:
    # A public witness's key (type 0x04), as published by its operator.
    vkey = "remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2"
    verifier = parse_verifier_key(vkey)
    assert isinstance(verifier, CosignatureVerifier)
    assert (verifier.name, verifier.key_id) == ("remora.n621.de", 0xDA77ADE7)
    assert verifier.vkey == vkey
    # The same public key as type 0x01 is another key, with another key ID.
    plain = Ed25519Verifier(verifier.name, verifier.public_key)
    assert plain.key_id != verifier.key_id
    assert plain.vkey.startswith("remora.n621.de+") and plain.vkey != vkey


def test_a_base64_key_with_a_plus_parses() -> None:
    vkey = "TEST+7997405c+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6"
    assert parse_verifier_key(vkey).vkey == vkey


@pytest.mark.parametrize(
    ("skey", "reason"),
    [
        (
            "PRIVATE+KEX+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",
            "starts with PRIVATE\\+KEY\\+",
        ),
        (VKEY, "starts with PRIVATE\\+KEY\\+"),
        (
            "PRIVATE+KEY+PeterNeumann+c74f20a3+BIEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",
            "signer key PeterNeumann has unsupported signature type 0x04",
        ),
        (
            "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKA==",
            "an Ed25519 seed is 32 bytes, not 30",
        ),
        (
            "PRIVATE+KEY+PeterNeumann+c74f20a4+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",
            "says key ID c74f20a4, its key hashes to c74f20a3",
        ),
        ("PRIVATE+KEY+PeterNeumann+c74f20a3+", "not canonical, non-empty base64"),
    ],
)
def test_malformed_signer_keys(skey: str, reason: str) -> None:
    with pytest.raises(MalformedKey, match=reason):
        parse_signer_key(skey)


def test_generated_keys_round_trip_through_their_strings() -> None:
    signer = Ed25519Signer.generate("log.example.gov.eg/permits")
    again = parse_signer_key(signer.skey)
    assert again.verifier == signer.verifier == parse_verifier_key(signer.verifier.vkey)
    note = sign_note("hello\n", [again])
    assert open_note(str(note), [signer.verifier]).verified == note.signatures
    assert signer.verifier.verify(b"hello\n", note.signatures[0].signature)
    assert not signer.verifier.verify(b"hello!\n", note.signatures[0].signature)


@pytest.mark.parametrize("length", [0, 31, 33])
def test_key_material_of_the_wrong_length(length: int) -> None:
    with pytest.raises(MalformedKey, match=f"an Ed25519 seed is 32 bytes, not {length}"):
        Ed25519Signer.from_seed("k", bytes(length))
    with pytest.raises(MalformedKey, match=f"an Ed25519 public key is 32 bytes, not {length}"):
        Ed25519Verifier("k", bytes(length))
    with pytest.raises(MalformedKey, match=f"an Ed25519 public key is 32 bytes, not {length}"):
        CosignatureVerifier("k", bytes(length))


# -- properties ---------------------------------------------------------------------------------

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_text_chars = st.characters(exclude_categories=("Cs",)).filter(lambda ch: ch == "\n" or ch >= " ")
note_texts = st.text(_text_chars, max_size=80).map(lambda text: text + "\n")
key_names = st.text(st.characters(exclude_categories=("Cs", "Cc", "Zs", "Zl", "Zp")), min_size=1, max_size=20).filter(
    is_valid_key_name
)
signatures = st.builds(NoteSignature, key_names, st.integers(0, 2**32 - 1), st.binary(min_size=1, max_size=80))


@FUZZ
@given(note_texts, st.lists(signatures, min_size=1, max_size=5))
def test_any_note_round_trips(text: str, lines: list[NoteSignature]) -> None:
    note = Note(text, tuple(lines))
    assert Note.parse(str(note)) == note
    assert Note.parse(str(note).encode()) == note


def _only_own_errors(message: str | bytes, peter: Ed25519Verifier) -> None:
    try:
        Note.parse(message)
    except TransparencyError as exc:
        assert isinstance(exc, NoteError)
    try:
        open_note(message, [peter])
    except TransparencyError as exc:
        assert isinstance(exc, NoteError)


_any_chars = st.one_of(
    st.characters(), st.characters(categories=["Cs"]), st.sampled_from(["\n", "\u2014", " ", "+", "=", "A"])
)


@FUZZ
@given(st.one_of(st.text(max_size=300), st.text(_any_chars, max_size=300)))
def test_any_text_raises_only_note_errors(peter: Ed25519Verifier, message: str) -> None:
    _only_own_errors(message, peter)


@FUZZ
@given(st.binary(max_size=300))
def test_any_bytes_raise_only_note_errors(peter: Ed25519Verifier, message: bytes) -> None:
    _only_own_errors(message, peter)


@FUZZ
@given(st.text(max_size=200), st.text(max_size=200))
def test_any_signature_block_raises_only_note_errors(peter: Ed25519Verifier, text: str, block: str) -> None:
    _only_own_errors(text + "\n\n\u2014 " + block + "\n", peter)
    _only_own_errors(TEXT + "\n\u2014 PeterNeumann " + block + "\n", peter)


@FUZZ
@given(
    st.integers(0, len(TEXT + "\n" + PETER_SIG) - 1),
    st.characters(exclude_categories=("Cs",)),
    st.sampled_from(["replace", "insert", "delete"]),
)
def test_any_one_character_edit_of_a_signed_note_is_refused(peter: Ed25519Verifier, at: int, ch: str, how: str) -> None:
    message = TEXT + "\n" + PETER_SIG
    edited = {
        "replace": message[:at] + ch + message[at + 1 :],
        "insert": message[:at] + ch + message[at:],
        "delete": message[:at] + message[at + 1 :],
    }[how]
    if edited == message:
        return
    with pytest.raises(NoteError):
        open_note(edited, [peter])
