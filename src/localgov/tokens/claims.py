"""What a permit token says: :class:`PermitClaims` and its CWT (RFC 8392) claims map.

The claims map holds the standard claims ``iss`` (1, the issuing unit's code), ``exp`` (4),
``nbf`` (5) and ``iat`` (6), and one private-use claim, ``-65537`` (the first private-use key,
RFC 8392 §9.1), whose value is the permit map with small integer keys::

    1 permit number   2 kind        3 holder name   4 parcel   5 address   6 figures

Texts are normalised (NFC, ASCII digits, trimmed) before signing. A text travels as a CBOR text
string (UTF-8) or, when it is Arabic and fits ISO 8859-6, as a byte string in that standard
single-byte Arabic character set: one byte a letter instead of two, the difference between a QR
code that scans from paper and one that does not. The holder's national ID is never carried.
"""

from __future__ import annotations

import codecs
import hashlib
import re
import unicodedata
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from decimal import Context, Decimal, InvalidOperation
from encodings import iso8859_6
from operator import countOf
from types import MemberDescriptorType
from typing import TypeAlias

import attrs

from localgov.i18n import to_western_digits
from localgov.tokens.cbor import KEY_TYPES, is_plain
from localgov.tokens.errors import MalformedCbor
from localgov.tokens.short_codes import FIGURES_BY_CODE, FIGURES_BY_NAME, KIND_CODES, KIND_NAMES

__all__ = [
    "CLAIM_EXP",
    "CLAIM_IAT",
    "CLAIM_ISS",
    "CLAIM_NBF",
    "CLAIM_PERMIT",
    "FigureValue",
    "PermitClaims",
    "claims_from_map",
    "claims_to_map",
    "normalise_text",
    "revocation_hash",
]

CLAIM_ISS = 1
CLAIM_EXP = 4
CLAIM_NBF = 5
CLAIM_IAT = 6
CLAIM_PERMIT = -65537

PERMIT_NUMBER, KIND, HOLDER, PARCEL, ADDRESS, FIGURES = 1, 2, 3, 4, 5, 6
_PERMIT_KEYS = frozenset((PERMIT_NUMBER, KIND, HOLDER, PARCEL, ADDRESS, FIGURES))
_READ_CLAIMS = frozenset((CLAIM_ISS, CLAIM_EXP, CLAIM_NBF, CLAIM_IAT, CLAIM_PERMIT))

FigureValue: TypeAlias = int | Decimal | str

_NON_ASCII_DIGIT = re.compile(r"[\u0660-\u0669\u06f0-\u06f9]")
_ONE = Decimal(1)
_MAX_TEXT = 200  # characters in one text claim: far beyond any real name or address
_NUMERIC_DATE_RANGE = range(253402300800)  # up to 9999-12-31, what datetime holds


def normalise_text(text: str) -> str:
    """NFC, ASCII digits, no surrounding blanks: the form that is signed and compared."""
    # Fast paths: every verification normalises about ten texts that are already normal.
    if text.isascii():
        return text.strip()
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    if _NON_ASCII_DIGIT.search(text):
        text = to_western_digits(text)
    return text.strip()


SlotSetter: TypeAlias = Callable[[object, object], None]


def slot_setters(cls: type) -> dict[str, SlotSetter]:
    """Field name -> the ``__set__`` of its slot descriptor, for a slotted attrs class ``cls``.

    A frozen attrs class sets its fields through ``object.__setattr__``, which first looks the
    name up on the class; a private constructor whose values are already checked
    (``_from_checked``) sets them through these instead, at half the cost.
    """
    setters: dict[str, SlotSetter] = {}
    for field in attrs.fields(cls):
        descriptor = cls.__dict__.get(field.name)
        if not isinstance(descriptor, MemberDescriptorType):
            raise TypeError(f"{cls.__name__}.{field.name} is not a slot")
        setters[field.name] = descriptor.__set__
    return setters


def _to_utc_second(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"datetime {value.isoformat()} has no time zone")
    return value.astimezone(UTC).replace(microsecond=0)


def _required_utc_second(value: datetime) -> datetime:
    result = _to_utc_second(value)
    assert result is not None
    return result


def _check_text(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    if len(value) > _MAX_TEXT:
        raise ValueError(f"{attribute.name} is {len(value)} characters, at most {_MAX_TEXT}")


def _check_required_text(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not value:
        raise ValueError(f"{attribute.name} must not be empty")
    _check_text(instance, attribute, value)


def _figure_order(pair: tuple[str, FigureValue]) -> tuple[int, str]:
    # Well-known figures first, in code order, then the others by name: one canonical order.
    spec = FIGURES_BY_NAME.get(pair[0])
    return (spec.code, "") if spec else (1 << 30, pair[0])


def _figures(
    value: Mapping[str, FigureValue] | tuple[tuple[str, FigureValue], ...],
) -> tuple[tuple[str, FigureValue], ...]:
    pairs = value.items() if isinstance(value, Mapping) else value
    checked: dict[str, FigureValue] = {}
    for raw_name, figure in pairs:
        if not isinstance(raw_name, str):
            raise TypeError(f"figure name {raw_name!r} is not text")
        name = normalise_text(raw_name)
        if name in checked:
            raise ValueError(f"figure {name} is given twice")
        checked[name] = _check_figure(name, figure)
    return tuple(sorted(checked.items(), key=_figure_order))


def _check_figure(name: str, value: FigureValue) -> FigureValue:
    if not name:
        raise ValueError("figure name must not be empty")
    spec = FIGURES_BY_NAME.get(name)
    if isinstance(value, bool) or not isinstance(value, (int, Decimal, str)):
        raise TypeError(f"figure {name}: {value!r} is not an integer, decimal or text")
    if isinstance(value, str):
        value = normalise_text(value)
        if len(value) > _MAX_TEXT:
            raise ValueError(f"figure {name} is longer than {_MAX_TEXT} characters")
    if spec is None:
        if isinstance(value, Decimal):
            raise ValueError(f"figure {name}: only well-known figures may be decimals")
        return value
    if spec.type == "text":
        if not isinstance(value, str):
            raise ValueError(f"figure {name} must be text, not {value!r}")
        return value
    if spec.type == "count":
        if not isinstance(value, int) or value < 0:
            raise ValueError(f"figure {name} must be a whole number >= 0, not {value!r}")
        return value
    try:
        amount = Decimal(value)
    except (InvalidOperation, ValueError):
        raise ValueError(f"figure {name} must be a number, not {value!r}") from None
    hundredths = amount * 100
    if not amount.is_finite() or amount < 0 or hundredths != hundredths.to_integral_value():
        raise ValueError(f"figure {name} must be >= 0 with at most 2 decimals, not {value!r}")
    return _canonical_decimal(amount)


def _canonical_decimal(amount: Decimal) -> Decimal:
    # One spelling per amount (17.5, 240, never 2.4E+2), so decoded claims equal issued ones.
    return amount.quantize(_ONE) if amount == amount.to_integral_value() else amount.normalize()


@attrs.frozen
class PermitClaims:
    """The facts a permit token carries. Texts are normalised on construction (see module doc).

    ``figures`` maps figure names (``floors``, ``height_m``, ``built_area_m2``, ... see
    :mod:`localgov.tokens.short_codes`, or any other name) to whole numbers, decimals or text.
    """

    issuer: str = attrs.field(converter=normalise_text, validator=_check_required_text)
    permit_number: str = attrs.field(converter=normalise_text, validator=_check_required_text)
    kind: str = attrs.field(converter=normalise_text, validator=_check_required_text)
    holder_name: str = attrs.field(converter=normalise_text, validator=_check_required_text)
    issued_at: datetime = attrs.field(converter=_required_utc_second)
    expires_at: datetime | None = attrs.field(default=None, converter=_to_utc_second)
    valid_from: datetime | None = attrs.field(default=None, converter=_to_utc_second)
    parcel: str = attrs.field(default="", converter=normalise_text, validator=_check_text)
    address: str = attrs.field(default="", converter=normalise_text, validator=_check_text)
    figures: tuple[tuple[str, FigureValue], ...] = attrs.field(default=(), converter=_figures)

    @expires_at.validator
    def _expiry_after_issue(
        self, attribute: attrs.Attribute[datetime | None], value: datetime | None
    ) -> None:
        if value is not None and value <= (self.valid_from or self.issued_at):
            raise ValueError(f"expires_at {value.isoformat()} is not after the start of validity")

    @classmethod
    def _from_checked(
        cls,
        issuer: str,
        permit_number: str,
        kind: str,
        holder_name: str,
        issued_at: datetime,
        expires_at: datetime | None,
        valid_from: datetime | None,
        parcel: str,
        address: str,
        figures: tuple[tuple[str, FigureValue], ...],
    ) -> PermitClaims:
        # claims_from_map has already checked every field; running the converters and
        # validators again would cost as much as reading the claims did. Each slot is set
        # through its descriptor, half the cost of object.__setattr__ (which looks it up).
        claims = object.__new__(cls)
        _set_issuer(claims, issuer)
        _set_permit_number(claims, permit_number)
        _set_kind(claims, kind)
        _set_holder_name(claims, holder_name)
        _set_issued_at(claims, issued_at)
        _set_expires_at(claims, expires_at)
        _set_valid_from(claims, valid_from)
        _set_parcel(claims, parcel)
        _set_address(claims, address)
        _set_figures(claims, figures)
        return claims

    @property
    def figures_map(self) -> dict[str, FigureValue]:
        return dict(self.figures)

    @property
    def starts_at(self) -> datetime:
        """When the permit becomes valid: ``valid_from`` if set, otherwise the issue time."""
        return self.valid_from or self.issued_at

    @property
    def permit_id(self) -> str:
        """The identifier revocation lists refer to: ``issuer/permit_number``."""
        return f"{self.issuer}/{self.permit_number}"

    @property
    def revocation_hash(self) -> bytes:
        return revocation_hash(self.issuer, self.permit_number)


_SETTERS = slot_setters(PermitClaims)
_set_issuer = _SETTERS["issuer"]
_set_permit_number = _SETTERS["permit_number"]
_set_kind = _SETTERS["kind"]
_set_holder_name = _SETTERS["holder_name"]
_set_issued_at = _SETTERS["issued_at"]
_set_expires_at = _SETTERS["expires_at"]
_set_valid_from = _SETTERS["valid_from"]
_set_parcel = _SETTERS["parcel"]
_set_address = _SETTERS["address"]
_set_figures = _SETTERS["figures"]


def revocation_hash(issuer: str, permit_number: str) -> bytes:
    """SHA-256 (first 16 bytes) of ``issuer``, a NUL byte and ``permit_number``, as UTF-8."""
    # Inline for ASCII texts, which normalise_text only strips: checked at every verification.
    issuer = issuer.strip() if issuer.isascii() else normalise_text(issuer)
    number = permit_number.strip() if permit_number.isascii() else normalise_text(permit_number)
    # UTF-8 of the joined text is the UTF-8 of each joined with a NUL byte, for one encode call.
    return hashlib.sha256(f"{issuer}\x00{number}".encode()).digest()[:16]


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
    if len(text) > _MAX_TEXT:
        raise MalformedCbor(f"{where}: longer than {_MAX_TEXT} characters")
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
    if type(value) is bytes and len(value) <= _MAX_TEXT:
        try:
            return _charmap_decode(value, "strict", _ISO8859_6_TABLE)[0]
        except UnicodeDecodeError:
            pass
    return _decode_text(value, where)


def _required_text(value: object, where: str) -> str:
    # The common cases inline (a short, non-blank str or ISO 8859-6 bytes); anything else,
    # including every refusal, through _decode_text.
    if type(value) is str:
        if 0 < len(value) <= _MAX_TEXT and not value.isspace():
            return value
    elif type(value) is bytes and 0 < len(value) <= _MAX_TEXT:
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
    valid_from = (
        None if CLAIM_NBF not in claims else _decode_date(claims[CLAIM_NBF], CLAIM_NBF, "nbf")
    )
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
    # The canonical decimal (see _canonical_decimal) of value / 100: whole amounts with
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
    code: (spec.name, spec.type == "decimal")
    for code, spec in FIGURES_BY_CODE.items()
    if spec.type != "text"
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
    return pairs if in_order else tuple(sorted(pairs, key=_figure_order))
