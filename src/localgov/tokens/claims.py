"""What a permit token says: :class:`PermitClaims`, checked and normalised as it is built.

Texts are normalised (NFC, ASCII digits, trimmed) before signing; figures are canonical (an
amount in hundredths at most). The holder's national ID is never carried. The CWT claims map
the token signs is made and read in :mod:`localgov.tokens.cwt`.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from types import MemberDescriptorType
from typing import TypeAlias

import attrs

from localgov.i18n import to_western_digits
from localgov.tokens.short_codes import FIGURES_BY_NAME

__all__ = [
    "MAX_TEXT_LENGTH",
    "FigureValue",
    "PermitClaims",
    "canonical_decimal",
    "check_figure",
    "figure_order",
    "normalise_text",
    "revocation_hash",
    "slot_setters",
]


FigureValue: TypeAlias = int | Decimal | str

_NON_ASCII_DIGIT = re.compile(r"[\u0660-\u0669\u06f0-\u06f9]")
_ONE = Decimal(1)
MAX_TEXT_LENGTH = 200  # characters in one text claim: far beyond any real name or address


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
    if len(value) > MAX_TEXT_LENGTH:
        raise ValueError(f"{attribute.name} is {len(value)} characters, at most {MAX_TEXT_LENGTH}")


def _check_required_text(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not value:
        raise ValueError(f"{attribute.name} must not be empty")
    _check_text(instance, attribute, value)


def figure_order(pair: tuple[str, FigureValue]) -> tuple[int, str]:
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
        checked[name] = check_figure(name, figure)
    return tuple(sorted(checked.items(), key=figure_order))


def check_figure(name: str, value: FigureValue) -> FigureValue:
    if not name:
        raise ValueError("figure name must not be empty")
    spec = FIGURES_BY_NAME.get(name)
    if isinstance(value, bool) or not isinstance(value, (int, Decimal, str)):
        raise TypeError(f"figure {name}: {value!r} is not an integer, decimal or text")
    if isinstance(value, str):
        value = normalise_text(value)
        if len(value) > MAX_TEXT_LENGTH:
            raise ValueError(f"figure {name} is longer than {MAX_TEXT_LENGTH} characters")
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
    return canonical_decimal(amount)


def canonical_decimal(amount: Decimal) -> Decimal:
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
    def _expiry_after_issue(self, attribute: attrs.Attribute[datetime | None], value: datetime | None) -> None:
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
