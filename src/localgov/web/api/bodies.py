"""Request bodies the handlers read themselves, declared in the OpenAPI document all the same.

Three operations read their body as a stream rather than through Litestar's ``data`` parameter:
the Open311 submission (form-encoded, as GeoReport v2 sends it, or JSON), document uploads
(multipart, checked part by part against the catalogue's limits) and provider notifications (raw
bytes, whose signature covers them exactly). Litestar cannot infer those bodies, so each handler is
given an :class:`~litestar.openapi.spec.Operation` subclass that fills the request body in. The
same subclass declares the XML that Open311's ``.xml`` paths answer with, beside the JSON.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from litestar.openapi.spec import (
    OpenAPIFormat,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    Reference,
    RequestBody,
    Schema,
)

__all__ = ["NOTIFICATION_BODY", "OPEN311_BODY", "UPLOAD_BODY", "XML_OPERATION", "with_body"]

_STRING = Schema(type=OpenAPIType.STRING)
_STRINGS = Schema(one_of=[_STRING, Schema(type=OpenAPIType.ARRAY, items=_STRING)])

_OPEN311_FIELDS: dict[str, Schema | Reference] = {
    "service_code": Schema(type=OpenAPIType.STRING, description="The service's code (services.json)"),
    "national_id": Schema(type=OpenAPIType.STRING, description="localgov: the applicant's national ID number"),
    "unit": Schema(type=OpenAPIType.STRING, description="localgov: the local unit's code (zeitoun)"),
    "governorate": Schema(type=OpenAPIType.STRING, description="localgov: needed when a unit code is ambiguous"),
    "name": Schema(type=OpenAPIType.STRING, description="The applicant's full name (or first_name, last_name)"),
    "first_name": _STRING,
    "last_name": _STRING,
    "phone": Schema(type=OpenAPIType.STRING, description="The applicant's Egyptian mobile number"),
    "email": _STRING,
    "description": _STRING,
    "address_string": _STRING,
    "lat": _STRING,
    "long": _STRING,
    "jurisdiction_id": _STRING,
    "api_key": _STRING,
    "service_point": Schema(type=OpenAPIType.STRING, description="localgov, staff only: where it is received"),
    "channel": Schema(type=OpenAPIType.STRING, description="localgov, staff only: front_desk, mobile_unit..."),
}

OPEN311_BODY: Mapping[str, Schema] = {
    "application/x-www-form-urlencoded": Schema(
        type=OpenAPIType.OBJECT,
        required=["service_code"],
        properties=_OPEN311_FIELDS,
        description="The service's attributes as `attribute[CODE]` (repeated `attribute[CODE][]` for a list)",
        additional_properties=_STRING,
    ),
    "application/json": Schema(
        type=OpenAPIType.OBJECT,
        required=["service_code"],
        properties={
            **_OPEN311_FIELDS,
            "attribute": Schema(
                type=OpenAPIType.OBJECT, additional_properties=_STRINGS, description="The attributes by code"
            ),
        },
    ),
}

UPLOAD_BODY: Mapping[str, Schema] = {
    "multipart/form-data": Schema(
        type=OpenAPIType.OBJECT,
        required=["action", "expected_version"],
        properties={
            "action": Schema(type=OpenAPIType.STRING, description="The action the documents go with (resubmit)"),
            "expected_version": Schema(type=OpenAPIType.STRING, description="The version decided on (digits)"),
            "comment": _STRING,
            "role": _STRING,
        },
        description="Each document is a file part named by its document type (ownership_proof=@deed.pdf)",
        additional_properties=Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY),
    )
}

NOTIFICATION_BODY: Mapping[str, Schema] = {
    "application/json": Schema(type=OpenAPIType.OBJECT, description="The provider's message, as it signed it"),
    "application/x-www-form-urlencoded": Schema(type=OpenAPIType.OBJECT, additional_properties=_STRING),
}


def with_body(
    content: Mapping[str, Schema] | None, description: str = "", *, xml: str | None = None
) -> type[Operation]:
    """An operation class whose request body is ``content`` (media type to schema), and whose ``xml``
    response (``"200"``) is also offered as Open311 XML (``.xml`` paths)."""

    @dataclass
    class DeclaredOperation(Operation):
        def __post_init__(self) -> None:
            if content is not None:
                self.request_body = RequestBody(
                    content={media: OpenAPIMediaType(schema=schema) for media, schema in content.items()},
                    description=description,
                    required=True,
                )
            answer = (self.responses or {}).get(xml) if xml is not None else None
            if isinstance(answer, OpenAPIResponse) and answer.content is not None:
                answer.content["application/xml"] = OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING))

    return DeclaredOperation


#: An Open311 operation answering 200 in JSON or, at its ``.xml`` path, in XML.
XML_OPERATION = with_body(None, xml="200")
