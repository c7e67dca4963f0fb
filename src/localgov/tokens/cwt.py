"""A permit's CWT (RFC 8392) claims map: :class:`~localgov.tokens.claims.PermitClaims` to and from it.

The claims map holds the standard claims ``iss`` (1, the issuing unit's code), ``exp`` (4),
``nbf`` (5) and ``iat`` (6), and one private-use claim, ``-65537`` (the first private-use key,
RFC 8392 §9.1), whose value is the permit map with small integer keys::

    1 permit number   2 kind        3 holder name   4 parcel   5 address   6 figures

A text travels as a CBOR text string (UTF-8) or, when it is Arabic and fits ISO 8859-6, as a byte
string in that standard single-byte Arabic character set: one byte a letter instead of two, the
difference between a QR code that scans from paper and one that does not.

Reading is on the verifier's hot path and takes untrusted input: each reader tries the usual
case first and refuses anything else with :class:`~localgov.tokens.errors.MalformedCbor`, naming
the claim.
"""

from __future__ import annotations

import codecs
from datetime import UTC, datetime
from decimal import Context, Decimal
from encodings import iso8859_6
from operator import countOf

from localgov.tokens.cbor import KEY_TYPES, is_plain
from localgov.tokens.claims import (
    MAX_TEXT_LENGTH,
    FigureValue,
    PermitClaims,
    figure_order,
)
from localgov.tokens.errors import MalformedCbor
from localgov.tokens.short_codes import FIGURES_BY_CODE, FIGURES_BY_NAME, KIND_CODES, KIND_NAMES

__all__ = [
    "CLAIM_EXP",
    "CLAIM_IAT",
    "CLAIM_ISS",
    "CLAIM_NBF",
    "CLAIM_PERMIT",
    "claims_from_map",
    "claims_to_map",
]

_NUMERIC_DATE_RANGE = range(253402300800)  # up to 9999-12-31, what datetime holds

CLAIM_ISS = 1
CLAIM_EXP = 4
CLAIM_NBF = 5
CLAIM_IAT = 6
CLAIM_PERMIT = -65537

PERMIT_NUMBER, KIND, HOLDER, PARCEL, ADDRESS, FIGURES = 1, 2, 3, 4, 5, 6
_PERMIT_KEYS = frozenset((PERMIT_NUMBER, KIND, HOLDER, PARCEL, ADDRESS, FIGURES))
_READ_CLAIMS = frozenset((CLAIM_ISS, CLAIM_EXP, CLAIM_NBF, CLAIM_IAT, CLAIM_PERMIT))


def _encode_text(text: str) -> str | bytes:
    if text.isascii():
        return text
    try:
        return text.encode("iso8859_6")
    except UnicodeEncodeError:
        return text


def _numeric_date(value: datetime) -> int:
    return int(value.timestamp())


def claims_to_map(claims: PermitClaims) -> dict[int, object]:
    """The CWT claims map for ``claims`` (to be encoded deterministically)."""
    permit: dict[int, object] = {
        PERMIT_NUMBER: _encode_text(claims.permit_number),
        KIND: KIND_CODES.get(claims.kind, claims.kind),
        HOLDER: _encode_text(claims.holder_name),
    }
    if claims.parcel:
        permit[PARCEL] = _encode_text(claims.parcel)
    if claims.address:
        permit[ADDRESS] = _encode_text(claims.address)
    if claims.figures:
        figures: dict[int | str, object] = {}
        for name, value in claims.figures:
            spec = FIGURES_BY_NAME.get(name)
            key: int | str = spec.code if spec else name
            if isinstance(value, str):
                figures[key] = _encode_text(value)
            elif isinstance(value, Decimal):
                figures[key] = int(value * 100)
            else:
                figures[key] = value
        permit[FIGURES] = figures
    result: dict[int, object] = {
        CLAIM_ISS: claims.issuer,
        CLAIM_IAT: _numeric_date(claims.issued_at),
        CLAIM_PERMIT: permit,
    }
    if claims.expires_at is not None:
        result[CLAIM_EXP] = _numeric_date(claims.expires_at)
    if claims.valid_from is not None:
        result[CLAIM_NBF] = _numeric_date(claims.valid_from)
    return result


def _decode_text(value: object, where: str, *, required: bool = False) -> str:
    # The general reader of a text claim; _text and _required_text try the usual cases first.
    if isinstance(value, str):
        text = value
    elif isinstance(value, bytes):
        text = _iso8859_6(value, where)
    else:
        raise MalformedCbor(f"{where}: expected text, found {type(value).__name__}")
    if len(text) > MAX_TEXT_LENGTH:
        raise MalformedCbor(f"{where}: longer than {MAX_TEXT_LENGTH} characters")
    if required and (not text or text.isspace()):
        raise MalformedCbor(f"{where}: must not be empty")
    return text


def _iso8859_6(value: bytes, where: str) -> str:
    try:
        # What value.decode("iso8859_6") does, without looking the codec up by name.
        return _charmap_decode(value, "strict", _ISO8859_6_TABLE)[0]
    except UnicodeDecodeError:
        raise MalformedCbor(f"{where}: byte string is not ISO 8859-6 text") from None


def _text(value: object, where: str) -> str:
    # Arabic text travels as ISO 8859-6 bytes, one byte a character, so the length is known
    # before decoding; everything else, and every refusal, goes through _decode_text.
    if type(value) is bytes and len(value) <= MAX_TEXT_LENGTH:
        try:
            return _charmap_decode(value, "strict", _ISO8859_6_TABLE)[0]
        except UnicodeDecodeError:
            pass
    return _decode_text(value, where)


def _required_text(value: object, where: str) -> str:
    # The common cases inline (a short, non-blank str or ISO 8859-6 bytes); anything else,
    # including every refusal, through _decode_text.
    if type(value) is str:
        if 0 < len(value) <= MAX_TEXT_LENGTH and not value.isspace():
            return value
    elif type(value) is bytes and 0 < len(value) <= MAX_TEXT_LENGTH:
        try:
            text: str = _charmap_decode(value, "strict", _ISO8859_6_TABLE)[0]
        except UnicodeDecodeError:
            text = ""
        if text and not text.isspace():
            return text
    return _decode_text(value, where, required=True)


def _decode_date(value: object, key: int, where: str) -> datetime:
    if type(value) is not int or value not in _NUMERIC_DATE_RANGE:
        raise MalformedCbor(f"{where} ({key}): expected a NumericDate integer, found {value!r}")
    return _from_timestamp(value, UTC)


def _validity(
    claims: dict[int | str | bytes, object],
) -> tuple[datetime, datetime | None, datetime | None]:
    # iat, exp and nbf: integers in the range of datetime, the common case inline.
    iat = claims.get(CLAIM_IAT)
    if type(iat) is int and iat in _NUMERIC_DATE_RANGE:
        issued_at = _from_timestamp(iat, UTC)
    elif CLAIM_IAT not in claims:
        raise MalformedCbor("claim 6 (iat) is missing")
    else:
        issued_at = _decode_date(iat, CLAIM_IAT, "iat")
    exp = claims.get(CLAIM_EXP)
    if type(exp) is int and exp in _NUMERIC_DATE_RANGE:
        expires_at: datetime | None = _from_timestamp(exp, UTC)
    else:
        expires_at = None if CLAIM_EXP not in claims else _decode_date(exp, CLAIM_EXP, "exp")
    valid_from = None if CLAIM_NBF not in claims else _decode_date(claims[CLAIM_NBF], CLAIM_NBF, "nbf")
    if expires_at is not None and expires_at <= (valid_from or issued_at):
        raise MalformedCbor("exp (4) is not after the start of validity")
    return issued_at, expires_at, valid_from


def claims_from_map(claims: object) -> PermitClaims:
    """Read a decoded CWT claims map; raise MalformedCbor if it does not follow the schema.

    Checks what :class:`PermitClaims`' constructor checks, more cheaply, but does not normalise:
    issuers sign normalised texts (the format requires it) and a verifier shows what was signed.
    """
    if not isinstance(claims, dict):
        raise MalformedCbor("the payload is not a CWT claims map")
    # Every key and value is type-checked here, so cbor.decode_and_read can skip its own pass;
    # the claims this does not read (other CWT claims) are checked as a whole. Key types are
    # checked as well as values: True and 1.0 are equal to 1 as dict keys, but not integers.
    # (Dict views compare with a set without building one, as frozenset.issuperset would.)
    if claims.keys() <= _READ_CLAIMS:
        # Every key an int, counted in C without the set issuperset(map(type, ...)) builds.
        if countOf(map(type, claims), int) != len(claims):
            raise MalformedCbor("a claim key is not an integer or string")
    else:
        if not KEY_TYPES.issuperset(map(type, claims)):
            raise MalformedCbor("a claim key is not an integer or string")
        other = claims.keys() - _READ_CLAIMS
        if not all(is_plain(claims[key]) for key in other):
            raise MalformedCbor("a claim holds a value that is not plain CBOR")
    permit = claims.get(CLAIM_PERMIT)
    if not isinstance(permit, dict):
        raise MalformedCbor(f"claim {CLAIM_PERMIT} (permit) is missing or not a map")
    if not permit.keys() <= _PERMIT_KEYS or countOf(map(type, permit), int) != len(permit):
        unknown = [key for key in permit if type(key) is not int or key not in _PERMIT_KEYS]
        raise MalformedCbor(f"permit map has unknown keys {sorted(map(repr, unknown))}")
    issued_at, expires_at, valid_from = _validity(claims)
    kind = permit.get(KIND)
    if type(kind) is int:
        kind = _KIND_NAMES.get(kind)  # a registered name: valid text already
        if kind is None:
            raise MalformedCbor(f"permit kind code {permit[KIND]} is not registered")
    else:
        kind = _required_text(kind, "kind (2)")
    # An absent optional claim reads as empty; a present one must be valid, even CBOR null.
    parcel = permit.get(PARCEL)
    address = permit.get(ADDRESS)
    figures = permit.get(FIGURES)
    return PermitClaims._from_checked(
        _required_text(claims.get(CLAIM_ISS), "iss (1)"),
        _required_text(permit.get(PERMIT_NUMBER), "permit number (1)"),
        kind,
        _required_text(permit.get(HOLDER), "holder name (3)"),
        issued_at,
        expires_at,
        valid_from,
        "" if parcel is None and PARCEL not in permit else _text(parcel, "parcel (4)"),
        "" if address is None and ADDRESS not in permit else _text(address, "address (5)"),
        () if figures is None and FIGURES not in permit else _decode_figures(figures),
    )


_ISO8859_6_TABLE = iso8859_6.decoding_table
_charmap_decode = codecs.charmap_decode
_from_timestamp = datetime.fromtimestamp
# Plain dicts: look-ups in a MappingProxyType cost twice as much, and these run per token.
_KIND_NAMES = dict(KIND_NAMES)
_FIGURE_BY_CODE = dict(FIGURES_BY_CODE)


# Its own context, so a caller's decimal settings cannot round a figure: 28 digits hold any
# integer below 2**64 (20 digits), the most CBOR carries without a (refused) bignum tag.
_FIGURE_CONTEXT = Context(prec=28)


def _from_hundredths(value: int) -> Decimal:
    # The canonical decimal (see canonical_decimal) of value / 100: whole amounts with
    # exponent 0 (24000 -> 240), others without trailing zeros (1750 -> 17.5, 5 -> 0.05).
    # Shifting the decimal point (scaleb) is exact and costs less than a division.
    whole, cents = divmod(value, 100)
    if not cents:
        return Decimal(whole)
    if cents % 10:
        return Decimal(value).scaleb(-2, _FIGURE_CONTEXT)
    return Decimal(value // 10).scaleb(-1, _FIGURE_CONTEXT)


def _decode_figures(figures: object) -> tuple[tuple[str, FigureValue], ...]:
    if not isinstance(figures, dict):
        raise MalformedCbor("figures (6): expected a map")
    # The usual figures first: registered numbers under their codes, in ascending order (the
    # canonical one). Anything else, a name, a text, a refusal, is left to the general reader.
    pairs: list[tuple[str, FigureValue]] = []
    last_code = 0
    for code, value in figures.items():
        spec = _NUMBER_FIGURES.get(code) if type(code) is int else None
        if spec is None or code <= last_code or type(value) is not int or value < 0:
            return _decode_any_figures(figures)
        last_code = code
        name, in_hundredths = spec
        pairs.append((name, _from_hundredths(value) if in_hundredths else value))
    return tuple(pairs)


# Code -> (name, carried in hundredths) of the registered figures that are numbers.
_NUMBER_FIGURES = {
    code: (spec.name, spec.type == "decimal") for code, spec in FIGURES_BY_CODE.items() if spec.type != "text"
}


def _decode_any_figures(figures: dict[object, object]) -> tuple[tuple[str, FigureValue], ...]:
    # Every figure the format allows, and every refusal.
    result: dict[str, FigureValue] = {}
    # The canonical order is well-known figures by code, then the others by name; deterministic
    # CBOR already lists them so (integer keys sort first), so sorting is usually not needed.
    in_order = True
    last_code = 0
    last_name: str | None = None
    for key, value in figures.items():
        if type(key) is int:
            spec = _FIGURE_BY_CODE.get(key)
            if spec is None:
                raise MalformedCbor(f"figure code {key} is not registered")
            if key <= last_code or last_name is not None:
                in_order = False
            last_code = key
            name = spec.name
            if spec.type == "text":
                result[name] = _text(value, f"figure {name}")
                continue
            if type(value) is not int or value < 0:
                raise MalformedCbor(f"figure {name}: expected an integer >= 0, found {value!r}")
            result[name] = value if spec.type != "decimal" else _from_hundredths(value)
        elif isinstance(key, str):
            name = key
            if not name.strip() or name in FIGURES_BY_NAME or name in result:
                raise MalformedCbor(f"figure name {key!r} is empty, repeated or must be a code")
            if last_name is not None and name <= last_name:
                in_order = False
            last_name = name
            result[name] = value if type(value) is int else _decode_text(value, f"figure {name}")
        else:
            raise MalformedCbor(f"figure key {key!r} is neither a code nor a name")
    pairs = tuple(result.items())
    return pairs if in_order else tuple(sorted(pairs, key=figure_order))
