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

import hashlib
import itertools
import re
import unicodedata
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import TypeAlias

import attrs

from localgov.i18n import to_western_digits
from localgov.tokens.errors import MalformedCbor
from localgov.tokens.registry import FIGURES_BY_CODE, FIGURES_BY_NAME, KIND_CODES, KIND_NAMES

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
    :mod:`localgov.tokens.registry`, or any other name) to whole numbers, decimals or text.
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
    def _from_checked(cls, **fields: object) -> PermitClaims:
        # claims_from_map has already checked and normalised every field; running the
        # converters again would double the cost of verifying a token.
        claims = object.__new__(cls)
        for name, value in fields.items():
            object.__setattr__(claims, name, value)
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


def revocation_hash(issuer: str, permit_number: str) -> bytes:
    """SHA-256 (first 16 bytes) of ``issuer``, a NUL byte and ``permit_number``, as UTF-8."""
    data = normalise_text(issuer).encode() + b"\x00" + normalise_text(permit_number).encode()
    return hashlib.sha256(data).digest()[:16]


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
    if isinstance(value, bytes):
        try:
            value = value.decode("iso8859_6")
        except UnicodeDecodeError:
            raise MalformedCbor(f"{where}: byte string is not ISO 8859-6 text") from None
    if not isinstance(value, str):
        raise MalformedCbor(f"{where}: expected text, found {type(value).__name__}")
    if len(value) > _MAX_TEXT:
        raise MalformedCbor(f"{where}: longer than {_MAX_TEXT} characters")
    if required and not value.strip():
        raise MalformedCbor(f"{where}: must not be empty")
    return value


def _decode_date(claims: Mapping[object, object], key: int, where: str) -> datetime | None:
    if key not in claims:
        return None
    value = claims[key]
    if type(value) is not int or value not in _NUMERIC_DATE_RANGE:
        raise MalformedCbor(f"{where} ({key}): expected a NumericDate integer, found {value!r}")
    return datetime.fromtimestamp(value, UTC)


def claims_from_map(claims: object) -> PermitClaims:
    """Read a decoded CWT claims map; raise MalformedCbor if it does not follow the schema.

    Checks what :class:`PermitClaims`' constructor checks, more cheaply, but does not normalise:
    issuers sign normalised texts (the format requires it) and a verifier shows what was signed.
    """
    if not isinstance(claims, dict):
        raise MalformedCbor("the payload is not a CWT claims map")
    permit = claims.get(CLAIM_PERMIT)
    if not isinstance(permit, dict):
        raise MalformedCbor(f"claim {CLAIM_PERMIT} (permit) is missing or not a map")
    unknown = permit.keys() - _PERMIT_KEYS
    if unknown:
        raise MalformedCbor(f"permit map has unknown keys {sorted(map(repr, unknown))}")
    issued_at = _decode_date(claims, CLAIM_IAT, "iat")
    if issued_at is None:
        raise MalformedCbor("claim 6 (iat) is missing")
    expires_at = _decode_date(claims, CLAIM_EXP, "exp")
    valid_from = _decode_date(claims, CLAIM_NBF, "nbf")
    if expires_at is not None and expires_at <= (valid_from or issued_at):
        raise MalformedCbor("exp (4) is not after the start of validity")
    kind = permit.get(KIND)
    if type(kind) is int:
        if kind not in KIND_NAMES:
            raise MalformedCbor(f"permit kind code {kind} is not registered")
        kind = KIND_NAMES[kind]
    return PermitClaims._from_checked(
        issuer=_decode_text(claims.get(CLAIM_ISS), "iss (1)", required=True),
        permit_number=_decode_text(permit.get(PERMIT_NUMBER), "permit number (1)", required=True),
        kind=_decode_text(kind, "kind (2)", required=True),
        holder_name=_decode_text(permit.get(HOLDER), "holder name (3)", required=True),
        issued_at=issued_at,
        expires_at=expires_at,
        valid_from=valid_from,
        parcel=_decode_text(permit.get(PARCEL, ""), "parcel (4)"),
        address=_decode_text(permit.get(ADDRESS, ""), "address (5)"),
        figures=_decode_figures(permit.get(FIGURES, {})),
    )


def _decode_figures(figures: object) -> tuple[tuple[str, FigureValue], ...]:
    if not isinstance(figures, dict):
        raise MalformedCbor("figures (6): expected a map")
    result: dict[str, FigureValue] = {}
    for key, value in figures.items():
        if type(key) is int:
            spec = FIGURES_BY_CODE.get(key)
            if spec is None:
                raise MalformedCbor(f"figure code {key} is not registered")
            name = spec.name
            if spec.type == "text":
                result[name] = _decode_text(value, f"figure {name}")
                continue
            if type(value) is not int or value < 0:
                raise MalformedCbor(f"figure {name}: expected an integer >= 0, found {value!r}")
            if spec.type == "decimal":
                whole, hundredths = divmod(value, 100)
                result[name] = (
                    Decimal(whole)
                    if not hundredths
                    else _canonical_decimal(Decimal(value).scaleb(-2))
                )
            else:
                result[name] = value
        elif isinstance(key, str):
            name = key
            if not name.strip() or name in FIGURES_BY_NAME or name in result:
                raise MalformedCbor(f"figure name {key!r} is empty, repeated or must be a code")
            result[name] = value if type(value) is int else _decode_text(value, f"figure {name}")
        else:
            raise MalformedCbor(f"figure key {key!r} is neither a code nor a name")
    pairs = tuple(result.items())
    # Deterministic CBOR already lists integer codes in ascending order; sort only otherwise.
    if all(_figure_order(a) < _figure_order(b) for a, b in itertools.pairwise(pairs)):
        return pairs
    return tuple(sorted(pairs, key=_figure_order))
