"""From an issued request to the facts its signed permit token carries.

The token names the issuing unit as ``<governorate>-<unit short code>`` (``C-ZTN``), the same code
the unit's document-signing certificate carries, so a verifier can check that the certificate
signed for its own unit.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Protocol

from localgov.catalogue import FieldType, ServiceDefinition
from localgov.clock import EGYPT
from localgov.errors import LocalgovError
from localgov.organisation import Governorate
from localgov.requests.model import Request
from localgov.tokens import PermitClaims, read_claims
from localgov.transparency import PermitEntry

__all__ = ["PermitLog", "figure_name", "issuer_code", "log_entry", "permit_claims"]


def issuer_code(governorate: Governorate, unit_code: str) -> str:
    return f"{governorate.code}-{governorate.units[unit_code].short_code}"


def figure_name(service: ServiceDefinition, field_name: str) -> str:
    """The token's name for a form field: areas carry their unit (``built_area`` -> ``built_area_m2``)."""
    form_field = service.field(field_name)
    if form_field is not None and form_field.type is FieldType.AREA and not field_name.endswith("_m2"):
        return f"{field_name}_m2"
    return field_name


def permit_claims(
    request: Request,
    service: ServiceDefinition,
    governorate: Governorate,
    *,
    issued_at: datetime.datetime,
    timezone: datetime.tzinfo = EGYPT,
) -> PermitClaims:
    """The claims of the permit ``request`` was issued, for :func:`localgov.tokens.issue`.

    :param timezone: where the permit is valid through its last day (the engine's timezone).
    """
    if request.issued is None or not request.issued.number:
        raise LocalgovError(f"{request.id} has not been issued")
    fields_of = {f.type: f.name for f in reversed(service.fields)}
    parcel = request.form.get(fields_of.get(FieldType.PARCEL, ""), "")
    address = request.form.get(fields_of.get(FieldType.ADDRESS, ""), "")
    expires = None
    if request.issued.expires_on is not None:
        # Valid through the whole last day, where the citizen is.
        last_day = datetime.datetime.combine(request.issued.expires_on, datetime.time(23, 59, 59), timezone)
        expires = last_day
    return PermitClaims(
        issuer=issuer_code(governorate, request.unit),
        permit_number=request.issued.number,
        kind=service.issues.document or service.code,
        holder_name=request.applicant.name,
        issued_at=issued_at,
        expires_at=expires,
        parcel=str(parcel),
        address=str(address),
        figures={
            figure_name(service, name): _figure_value(service, name, request.form[name])
            for name in service.issues.figures
            if name in request.form
        },
    )


def _figure_value(service: ServiceDefinition, name: str, value: object) -> int | Decimal | str:
    """Form values are stored as decimal strings; tokens carry counts as integers, measures exactly."""
    form_field = service.field(name)
    if form_field is None or form_field.type not in (FieldType.NUMBER, FieldType.AREA, FieldType.MONEY):
        return str(value)
    amount = Decimal(str(value))
    return int(amount) if amount == amount.to_integral_value() else amount


class PermitLog(Protocol):
    """Where an issuer publishes each permit it signs: an append-only log (the SQL permit log)."""

    def append(self, entry: bytes) -> int:
        """Append ``entry`` durably and return its index in the log."""
        ...


def log_entry(token: str, claims: PermitClaims | None = None) -> PermitEntry:
    """The permit log's entry for a token this deployment signed.

    The claims are read from the token, not verified: the issuer logs what it has just signed
    itself. An issuer that still holds the claims it signed passes them and saves the parse.
    """
    if claims is None:
        _kid, claims = read_claims(token)
    return PermitEntry.of_token(
        token, issuer=claims.issuer, number=claims.permit_number, kind=claims.kind, issued_at=claims.issued_at
    )
