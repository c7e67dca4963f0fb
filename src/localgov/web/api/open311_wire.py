"""Open311 GeoReport v2's documents, from the catalogue and the engine.

GeoReport v2 (http://wiki.open311.org/GeoReport_v2) names the fields; localgov adds what the
standard has no word for under names it does not use: ``descriptions`` (Arabic and English) beside
the single ``description``, a request's ``access_code`` and ``receipt_url``. Each service's form
fields become its attributes: ``datatype`` from the field type, ``values`` from its choices.
"""

from __future__ import annotations

import datetime

import msgspec

from localgov.catalogue import FieldType, FormField, ServiceDefinition
from localgov.i18n import Language, LocalizedText
from localgov.requests import Request
from localgov.web.api.wire import Text, text

__all__ = [
    "AttributeValue",
    "Open311Attribute",
    "Open311Created",
    "Open311Definition",
    "Open311Request",
    "Open311Service",
    "definition",
    "request_document",
    "service_entry",
]

# GeoReport's datatypes: string, number, datetime, text (long), singlevaluelist, multivaluelist.
_DATATYPES = {
    FieldType.TEXT: "string",
    FieldType.NUMBER: "number",
    FieldType.MONEY: "number",
    FieldType.AREA: "number",
    FieldType.DATE: "datetime",
    FieldType.CHOICE: "singlevaluelist",
    FieldType.MULTI_CHOICE: "multivaluelist",
    FieldType.NATIONAL_ID: "string",
    FieldType.MOBILE: "string",
    FieldType.PARCEL: "string",
    FieldType.ADDRESS: "text",
}


class Open311Service(msgspec.Struct, frozen=True):
    service_code: str
    service_name: str
    description: str
    metadata: bool
    type: str
    keywords: str
    group: str
    descriptions: Text
    names: Text


class AttributeValue(msgspec.Struct, frozen=True):
    key: str
    name: str
    names: Text


class Open311Attribute(msgspec.Struct, frozen=True):
    variable: bool
    code: str
    datatype: str
    required: bool
    datatype_description: str
    order: int
    description: str
    descriptions: Text
    values: list[AttributeValue]


class Open311Definition(msgspec.Struct, frozen=True):
    service_code: str
    attributes: list[Open311Attribute]


class Open311Created(msgspec.Struct, frozen=True):
    """The answer to a new request: its number, and (localgov) the access code shown this once."""

    service_request_id: str
    service_notice: str
    account_id: str | None
    access_code: str
    receipt_url: str
    status_url: str


class Open311Request(msgspec.Struct, frozen=True):
    service_request_id: str
    status: str
    status_notes: str
    service_name: str
    service_code: str
    description: str
    agency_responsible: str
    service_notice: str
    requested_datetime: datetime.datetime
    updated_datetime: datetime.datetime | None
    expected_datetime: datetime.date
    address: str
    zipcode: str
    #: localgov: the workflow step's code.
    state: str


def _say(value: LocalizedText, language: Language) -> str:
    return value.ar if language == "ar" else value.en


def service_entry(service: ServiceDefinition, group: LocalizedText, language: Language) -> Open311Service:
    # "batch": a service request is decided later by the back office, not answered at once.
    return Open311Service(
        service_code=service.code,
        service_name=_say(service.name, language),
        description=_say(service.description, language),
        metadata=bool(service.fields),
        type="batch",
        keywords=service.category,
        group=_say(group, language),
        descriptions=text(service.description),
        names=text(service.name),
    )


def _datatype_description(field: FormField) -> str:
    bounds = []
    if field.minimum is not None:
        bounds.append(f">= {field.minimum}")
    if field.maximum is not None:
        bounds.append(f"<= {field.maximum}")
    if field.max_length is not None:
        bounds.append(f"at most {field.max_length} characters")
    return f"{field.type.value}" + (f" ({', '.join(bounds)})" if bounds else "")


def definition(service: ServiceDefinition, language: Language) -> Open311Definition:
    attributes = [
        Open311Attribute(
            variable=True,
            code=field.name,
            datatype=_DATATYPES.get(field.type, "string"),
            required=field.required,
            datatype_description=_datatype_description(field),
            order=order,
            description=_say(field.label, language),
            descriptions=text(field.label),
            values=[AttributeValue(c.value, _say(c.label, language), text(c.label)) for c in field.choices],
        )
        for order, field in enumerate(service.fields, start=1)
    ]
    return Open311Definition(service_code=service.code, attributes=attributes)


def request_document(
    request: Request,
    service: ServiceDefinition,
    step: LocalizedText,
    agency: LocalizedText,
    updated: datetime.datetime | None,
    language: Language,
) -> Open311Request:
    """A request as GeoReport shows it: ``open`` until closed; the step's name as the status notes.
    The address is the form's address field when the service has one (a site, a shop)."""
    address = next(
        (str(request.form[f.name]) for f in service.fields if f.type is FieldType.ADDRESS and f.name in request.form),
        "",
    )
    return Open311Request(
        service_request_id=request.id,
        status="closed" if request.closed else "open",
        status_notes=_say(step, language),
        service_name=_say(service.name, language),
        service_code=service.code,
        description=_say(service.description, language),
        agency_responsible=_say(agency, language),
        service_notice="",
        requested_datetime=request.submitted_at,
        updated_datetime=updated,
        expected_datetime=request.due_date,
        address=address,
        zipcode="",
        state=request.state,
    )
