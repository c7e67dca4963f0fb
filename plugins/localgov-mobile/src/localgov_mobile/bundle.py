"""The signed bundle a tablet downloads: what the mobile district may take, offline.

A COSE_Sign1 (RFC 9052) signed by the unit's document-signing certificate, which travels in the
protected header (``x5chain``, label 33, RFC 9360: the signer first, then the governorate CA), so
a tablet needs only the national root it was given at enrolment. Payload, a CBOR map::

    1 "localgov-mobile-bundle"    2 format version (1)       3 sequence (grows with each edition)
    4 issued at (NumericDate)      5 valid until (NumericDate)
    6 governorate code            7 unit code                 8 channel code ("mobile_unit")
    9 [service point codes]       10 catalogue entries (TOML text, UTF-8)
    11 [workflow guard names the server evaluates]
    13 the unit's code in its certificates ("C-ZTN": governorate, dash, the unit's tracking code)
    14 the services' forms and documents as JSON text, for a client that cannot run localgov's
       loader (the browser client): see :func:`forms_json`
    12 calendar {1 [weekend days, Monday 0], 2 [covered years],
                 3 [[date "YYYY-MM-DD", name ar, name en, provisional, scope], ...]}

Key 10 holds the services the channel takes and every entry they need (categories, departments,
workflows, roles, channels, document types, fee rules, messages) as catalogue files write them
(:mod:`localgov_mobile.catalogue_text`); the tablet loads it with localgov's own catalogue loader,
so it validates forms with the same definitions and the same code as the server. The bundle's
*digest* is the SHA-256 of key 10's bytes: a submission names the bundle it was taken with, and
the server tells a stale one by comparing digests.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import tomllib
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from functools import cached_property
from pathlib import Path

import attrs
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from localgov.calendar import WorkingCalendar
from localgov.calendar.working import Holiday
from localgov.catalogue import Catalogue, CatalogueError, FeeRule, load_catalogue
from localgov.catalogue.model import Condition
from localgov.i18n import LocalizedText
from localgov.permits import issuer_code
from localgov.pki import EKU_PERMIT_SIGNING, Credential, PkiError, kid_of, unit_code_of, verify_chain
from localgov.requests import Engine
from localgov.tokens import cbor, cose
from localgov.tokens.errors import TokenError
from localgov_mobile.catalogue_text import entries_toml
from localgov_mobile.errors import BundleError, WireError
from localgov_mobile.wire import WireMap, decode_map, numeric_date

__all__ = ["BUNDLE_TYPE", "Bundle", "build_bundle", "forms_json", "open_bundle"]

BUNDLE_TYPE = "localgov-mobile-bundle"
FORMAT_VERSION = 1
HEADER_X5CHAIN = 33
MAX_BUNDLE = 4 * 1024 * 1024
DEFAULT_VALIDITY = timedelta(days=7)


@attrs.frozen
class Bundle:
    """One edition of what a unit's tablets may take, read from a verified signed bundle."""

    sequence: int
    issued_at: datetime
    valid_until: datetime
    governorate: str
    unit: str
    channel: str
    service_points: tuple[str, ...]
    catalogue_text: str = attrs.field(repr=False)
    guards: tuple[str, ...]
    calendar: WorkingCalendar = attrs.field(repr=False)
    #: The unit as its certificates name it (:func:`localgov.permits.issuer_code`): the bundle's
    #: signer and the unit's devices carry it.
    issuer: str = ""
    #: Key 14: the forms and documents as JSON (:func:`forms_json`), for the browser client.
    forms: str = attrs.field(default="{}", repr=False)

    @cached_property
    def digest(self) -> bytes:
        """SHA-256 of the catalogue entries' text: what tells one catalogue from another."""
        return hashlib.sha256(self.catalogue_text.encode()).digest()

    @cached_property
    def catalogue(self) -> Catalogue:
        """The entries loaded by localgov's catalogue loader, checked as the server's are."""
        with tempfile.TemporaryDirectory(prefix="localgov-bundle-") as folder:
            path = Path(folder) / f"bundle-{self.sequence}.toml"
            path.write_text(self.catalogue_text, encoding="utf-8")
            try:
                return load_catalogue([path], known_guards=self.guards)
            except CatalogueError as error:
                raise BundleError(f"bundle {self.sequence}: its catalogue entries do not load: {error}") from None

    @property
    def services(self) -> tuple[str, ...]:
        """The services the bundle's channel takes, in code order."""
        channel = self.catalogue.channels[self.channel]
        return tuple(
            sorted(
                code
                for code, s in self.catalogue.services.items()
                if self.channel in s.channels and channel.takes(code)
            )
        )

    def to_payload(self) -> dict[int, object]:
        return {
            1: BUNDLE_TYPE,
            2: FORMAT_VERSION,
            3: self.sequence,
            4: numeric_date(self.issued_at),
            5: numeric_date(self.valid_until),
            6: self.governorate,
            7: self.unit,
            8: self.channel,
            9: list(self.service_points),
            10: self.catalogue_text,
            11: list(self.guards),
            12: {
                1: sorted(self.calendar.weekend),
                2: sorted(self.calendar.covered_years),
                3: [[h.date.isoformat(), h.name.ar, h.name.en, h.provisional, h.scope] for h in self.calendar.holidays],
            },
            13: self.issuer,
            14: self.forms,
        }

    def sign(self, signer: Credential, intermediates: Sequence[x509.Certificate]) -> bytes:
        """The signed bundle: a COSE_Sign1 by the unit's document signer, its chain in the header."""
        if unit_code_of(signer.certificate) != self.issuer:
            raise BundleError(
                f"bundle for {self.issuer!r} cannot be signed by unit {unit_code_of(signer.certificate)!r}"
            )
        chain = [signer.certificate, *intermediates]
        x5chain = [c.public_bytes(serialization.Encoding.DER) for c in chain]
        return cose.sign(
            cbor.encode(self.to_payload()), signer.private_key, kid=signer.kid, protected={HEADER_X5CHAIN: x5chain}
        )


def build_bundle(
    engine: Engine,
    unit: str,
    *,
    sequence: int,
    governorate: str | None = None,
    channel: str = "mobile_unit",
    issued_at: datetime | None = None,
    valid_for: timedelta = DEFAULT_VALIDITY,
) -> Bundle:
    """The bundle of ``unit``'s ``channel`` from the engine's catalogue, organisation and calendar."""
    if channel not in engine.catalogue.channels:
        raise BundleError(f"there is no channel {channel!r} in the catalogue")
    gov = next((g for code, g in engine.organisation.items() if unit in g.units and governorate in (None, code)), None)
    if gov is None:
        raise BundleError(f"local unit {unit!r} is not known")
    # The catalogue as the unit's governorate offers it: its own services and its overrides of the
    # national ones, so the tablet validates and estimates as the server will for this unit.
    catalogue = engine.catalogue.for_governorate(gov.code)
    taken_by = catalogue.channels[channel]
    services = [s for s in catalogue.services.values() if channel in s.channels and taken_by.takes(s.code)]
    if not services:
        raise BundleError(f"channel {channel!r} takes no service: a bundle would be empty")
    points = tuple(
        sorted(
            code
            for code, point in gov.service_points.items()
            if point.unit == unit and (taken_by.service_point is None or point.kind.value == taken_by.service_point)
        )
    )
    workflows = [catalogue.workflows[s.workflow] for s in services]
    chosen = {
        "services": [s.code for s in services],
        "categories": [s.category for s in services],
        "departments": [s.department for s in services],
        "workflows": [w.code for w in workflows],
        "channels": list(catalogue.channels),
        "roles": list(catalogue.roles),
        "messages": list(catalogue.messages),
        "document_types": [d.type for s in services for d in s.documents],
        "fee_rules": [f.rule for s in services for f in s.fees],
    }
    guards = sorted({g for w in workflows for a in w.actions for g in a.guards})
    issued = (issued_at or engine.now()).astimezone(UTC).replace(microsecond=0)
    return Bundle(
        sequence=sequence,
        issued_at=issued,
        valid_until=issued + valid_for,
        governorate=gov.code,
        unit=unit,
        channel=channel,
        service_points=points,
        catalogue_text=entries_toml(catalogue, chosen),
        guards=tuple(guards),
        calendar=engine.calendar,
        issuer=issuer_code(gov, unit),
        forms=forms_json(catalogue, [s.code for s in services]),
    )


def open_bundle(data: bytes, root: x509.Certificate, *, at: datetime | None = None) -> Bundle:
    """Verify a signed bundle against the national ``root`` and read it.

    Refused (:class:`BundleError`): a signer not chaining to the root at ``at``, a signer that is
    not a document signer of the bundle's unit, a bad signature, a malformed payload. A bundle past
    its ``valid until`` is still read: whether to take requests with it is the tablet's decision.
    """
    if len(data) > MAX_BUNDLE:
        raise BundleError(f"bundle of {len(data)} bytes is larger than {MAX_BUNDLE}")
    moment = at or datetime.now(UTC)
    try:
        message = cose.parse_sign1(data)
    except TokenError as error:
        raise BundleError(f"bundle: not a COSE_Sign1 ({error})") from None
    chain = message.protected.get(HEADER_X5CHAIN)
    if not isinstance(chain, list) or not chain or not all(isinstance(c, bytes) for c in chain) or len(chain) > 4:
        raise BundleError("bundle: x5chain must be the signer's certificate and its CA's, DER")
    try:
        certificates = [x509.load_der_x509_certificate(c) for c in chain if isinstance(c, bytes)]
    except ValueError:
        raise BundleError("bundle: x5chain holds something that is not a certificate") from None
    signer = certificates[0]
    try:
        verify_chain(signer, certificates[1:], root, at=moment)
    except PkiError as error:
        raise BundleError(f"bundle: the signer does not chain to the root: {error}") from None
    try:
        usage = signer.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        usage = None
    if usage is None or EKU_PERMIT_SIGNING not in usage:
        raise BundleError(f"bundle: {signer.subject.rfc4514_string()} is not a unit's document signer")
    if message.kid is not None and message.kid != kid_of(signer):
        raise BundleError("bundle: kid does not match the signing certificate")
    key = signer.public_key()
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise BundleError("bundle: the signer's key is not ECDSA")
    try:
        cose.verify_signature(message, key)
    except TokenError:
        raise BundleError("bundle: the signature does not verify") from None
    try:
        bundle = read_bundle_payload(message.payload)
    except WireError as error:
        raise BundleError(str(error)) from None
    if unit_code_of(signer) != bundle.issuer:
        raise BundleError(f"bundle for unit {bundle.issuer!r} is signed by unit {unit_code_of(signer)!r}")
    return bundle


def read_bundle_payload(payload: bytes) -> Bundle:
    """The bundle in a payload (unverified: :func:`open_bundle` verifies first)."""
    wire = decode_map(payload, BUNDLE_TYPE)
    if wire.integer(2) != FORMAT_VERSION:
        raise WireError(f"{BUNDLE_TYPE}: format version {wire.value.get(2)} is not {FORMAT_VERSION}")
    text = wire.get(10, lambda v: isinstance(v, str) and len(v) <= MAX_BUNDLE, "the catalogue entries as TOML text")
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise WireError(f"{BUNDLE_TYPE}: key 10 is not TOML ({error})") from None
    issued, until = wire.moment(4), wire.moment(5)
    if until < issued:
        raise wire.fail(5, "a moment after the issue (key 4)")
    return Bundle(
        sequence=wire.integer(3, minimum=1),
        issued_at=issued,
        valid_until=until,
        governorate=wire.text(6, limit=10),
        unit=wire.text(7, limit=64),
        channel=wire.text(8, limit=64),
        service_points=wire.texts(9, limit=64),
        catalogue_text=text,
        guards=wire.texts(11, limit=64),
        calendar=_read_calendar(wire),
        issuer=wire.text(13, limit=64),
        forms=_read_forms(wire),
    )


def _read_forms(wire: WireMap) -> str:
    text = wire.get(14, lambda v: isinstance(v, str) and len(v) <= MAX_BUNDLE, "the forms as JSON text")
    try:
        forms = json.loads(text)
    except ValueError as error:
        raise WireError(f"{BUNDLE_TYPE}: key 14 is not JSON ({error})") from None
    if not isinstance(forms, dict):
        raise WireError(f"{BUNDLE_TYPE}: key 14 is not a JSON object")
    return str(text)


def _condition(when: Condition | None) -> dict[str, object] | None:
    """A condition of a document or fee as :func:`forms_json` writes it."""
    return None if when is None else {"field": when.field, "equals": list(when.equals)}


def forms_json(catalogue: Catalogue, services: Sequence[str]) -> str:
    """The services' fields and documents as JSON (UTF-8, keys sorted, no spaces)::

        {"services": [{"code", "name": {"ar", "en"}, "fields": [{"name", "type", "label",
          "required", "minimum", "maximum", "max_length", "choices": [{"value", "label"}]}],
          "documents": [{"type", "name", "mandatory", "when": {"field", "equals"} | null,
          "accepted_types", "max_size_mb"}],
          "fees": [{"rule", "when": {"field", "equals"} | null}]}],
         "fee_rules": {code: {"code", "name", "kind", "amount", "rate", "basis",
          "tiers": [{"rate", "up_to"}], "minimum", "maximum", "unit",
          "late_penalty": {"rate", "due_field", "due_date", "grace_days", "cap_percent"} | null,
          "exemptions": [{"code", "reason", "when": {"field", "equals"}, "percent"}]}}}

    Numbers are decimal strings (or null), as catalogue files write amounts. The fee rules are
    those of the services' fees, for the browser client's estimate (``browser/fees.js``), which
    follows :func:`localgov.fees.estimate` on them.
    """

    def text(value: LocalizedText | None) -> dict[str, str] | None:
        return None if value is None else {"ar": value.ar, "en": value.en}

    def number(value: object) -> str | None:
        return None if value is None else str(value)

    described = []
    for code in services:
        service = catalogue.services[code]
        fields = [
            {
                "name": f.name,
                "type": f.type.value,
                "label": text(f.label),
                "required": f.required,
                "minimum": number(f.minimum),
                "maximum": number(f.maximum),
                "max_length": f.max_length,
                "choices": [{"value": c.value, "label": text(c.label)} for c in f.choices],
            }
            for f in service.fields
        ]
        documents = []
        for requirement in service.documents:
            kind = catalogue.document_types[requirement.type]
            when = requirement.when
            documents.append(
                {
                    "type": requirement.type,
                    "name": text(kind.name),
                    "mandatory": requirement.mandatory,
                    "when": _condition(when),
                    "accepted_types": list(requirement.accepted_types or kind.accepted_types),
                    "max_size_mb": number(requirement.max_size_mb or kind.max_size_mb),
                }
            )
        fees = [{"rule": item.rule, "when": _condition(item.when)} for item in service.fees]
        described.append(
            {"code": code, "name": text(service.name), "fields": fields, "documents": documents, "fees": fees}
        )
    rules = {
        item.rule: _fee_rule(catalogue.fee_rules[item.rule]) for s in services for item in catalogue.services[s].fees
    }
    return json.dumps(
        {"services": described, "fee_rules": rules}, ensure_ascii=False, sort_keys=True, separators=(",", ":")
    )


def _fee_rule(rule: FeeRule) -> dict[str, object]:
    """One fee rule as :func:`forms_json` writes it."""

    def number(value: object) -> str | None:
        return None if value is None else str(value)

    def text(value: LocalizedText | None) -> dict[str, str] | None:
        return None if value is None else {"ar": value.ar, "en": value.en}

    penalty = rule.late_penalty
    return {
        "code": rule.code,
        "name": text(rule.name),
        "kind": rule.kind.value,
        "amount": number(rule.amount),
        "rate": number(rule.rate),
        "basis": rule.basis,
        "tiers": [{"rate": number(t.rate), "up_to": number(t.up_to)} for t in rule.tiers],
        "minimum": number(rule.minimum),
        "maximum": number(rule.maximum),
        "unit": text(rule.unit),
        "late_penalty": None
        if penalty is None
        else {
            "rate": number(penalty.rate),
            "due_field": penalty.due_field,
            "due_date": None if penalty.due_date is None else penalty.due_date.isoformat(),
            "grace_days": penalty.grace_days,
            "cap_percent": number(penalty.cap_percent),
        },
        "exemptions": [
            {"code": e.code, "reason": text(e.reason), "when": _condition(e.when), "percent": number(e.percent)}
            for e in rule.exemptions
        ],
    }


def _read_calendar(wire: WireMap) -> WorkingCalendar:
    calendar = wire.get(12, lambda v: isinstance(v, dict), "the calendar map")
    weekend, years, holidays = calendar.get(1), calendar.get(2), calendar.get(3)
    if not isinstance(weekend, list) or not all(type(d) is int and 0 <= d <= 6 for d in weekend) or len(weekend) > 6:
        raise wire.fail(12, "a calendar whose key 1 lists weekend days 0 to 6")
    if not isinstance(years, list) or not all(type(y) is int and 1900 <= y <= 9999 for y in years):
        raise wire.fail(12, "a calendar whose key 2 lists years")
    if not isinstance(holidays, list):
        raise wire.fail(12, "a calendar whose key 3 lists holidays")
    read = []
    for entry in holidays:
        try:
            day, ar, en, provisional, scope = entry
            if not (isinstance(day, str) and isinstance(provisional, bool) and isinstance(scope, str)):
                raise TypeError
            read.append(Holiday(date.fromisoformat(day), LocalizedText(ar, en), provisional, scope))
        except (ValueError, TypeError):
            raise wire.fail(12, "a calendar whose holidays are [date, ar, en, provisional, scope]") from None
    try:
        return WorkingCalendar(weekend=weekend, holidays=read, covered_years=years)
    except (ValueError, TypeError) as error:
        raise wire.fail(12, f"a valid calendar ({error})") from None
