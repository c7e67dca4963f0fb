"""An Open311 ``POST requests`` body, form-encoded or JSON, as a :class:`Submission`.

The GeoReport fields localgov has no use for (a location, an e-mail address, a device id) are
accepted and left out; any other field is refused by name, so a misspelt extension
(``nationalid``) is not silently lost. The applicant's full name is ``name`` (localgov) or
``first_name`` and ``last_name``; their mobile number is GeoReport's ``phone``.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator
from typing import Any

import msgspec

from localgov.requests import Applicant
from localgov.web.api.attributes import MAX_FIELDS, OpenForm, parse_open311_form
from localgov.web.api.submission import Submission
from localgov.web.problems import InvalidInput

__all__ = ["IGNORED", "form_pairs", "json_pairs", "parse_body", "submission_from"]

#: GeoReport v2 fields a localgov request does not keep.
IGNORED = frozenset(
    {
        "jurisdiction_id",
        "lat",
        "long",
        "address_string",
        "address_id",
        "email",
        "device_id",
        "account_id",
        "description",
        "media_url",
    }
)
_USED = frozenset(
    {
        "service_code",
        "national_id",
        "unit",
        "governorate",
        "name",
        "first_name",
        "last_name",
        "phone",
        "api_key",
        "channel",
        "service_point",
    }
)


def form_pairs(body: bytes) -> list[tuple[str, str]]:
    """The ``(key, value)`` pairs of a form-encoded body, in order."""
    try:
        decoded = body.decode("utf-8")
        return urllib.parse.parse_qsl(decoded, keep_blank_values=True, max_num_fields=MAX_FIELDS)
    except UnicodeDecodeError:
        raise InvalidInput({"(body)": "not UTF-8 text"}) from None
    except ValueError:
        raise InvalidInput({"(body)": f"more than {MAX_FIELDS} fields"}) from None


def json_pairs(body: bytes) -> list[tuple[str, str]]:
    """A JSON body's fields as form pairs: ``{"attribute": {"floors": 5}}`` is ``attribute[floors]=5``."""
    try:
        document = msgspec.json.decode(body)
    except msgspec.DecodeError:
        raise InvalidInput({"(body)": "not a JSON document"}) from None
    if not isinstance(document, dict):
        raise InvalidInput({"(body)": "expected a JSON object"})
    return list(_flatten(document))


def _flatten(document: dict[str, Any]) -> Iterator[tuple[str, str]]:
    for key, value in document.items():
        if key == "attribute" and isinstance(value, dict):
            for code, item in value.items():
                if isinstance(item, list):
                    yield from ((f"attribute[{code}][]", _scalar(f"attribute.{code}", v)) for v in item)
                else:
                    yield f"attribute[{code}]", _scalar(f"attribute.{code}", item)
        else:
            yield key, _scalar(key, value)


def _scalar(name: str, value: Any) -> str:
    # Numbers are taken as typed ("5", "16.5"): the engine parses them against the field's type.
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise InvalidInput({name: "expected a string or a number"})


def submission_from(parsed: OpenForm) -> Submission:
    """The submission a parsed body describes; every missing or unknown field named at once."""
    fields = parsed.fields
    problems = {
        key: "not a field of a GeoReport v2 or localgov request" for key in fields if key not in _USED | IGNORED
    }
    for required in ("service_code", "national_id", "unit", "phone"):
        if not fields.get(required, "").strip():
            problems[required] = "مطلوب / required"
    name = fields.get("name") or " ".join(fields.get(part, "") for part in ("first_name", "last_name"))
    if not name.strip():
        problems["name"] = "مطلوب / required: name, or first_name and last_name"
    if problems:
        raise InvalidInput(problems)
    return Submission(
        service=fields["service_code"].strip(),
        unit=fields["unit"].strip(),
        applicant=Applicant(fields["national_id"].strip(), name, fields["phone"].strip()),
        form=parsed.attributes,
        channel=fields.get("channel") or None,
        service_point=fields.get("service_point") or None,
        governorate=fields.get("governorate") or None,
        service_field="service_code",
    )


def parse_body(body: bytes, media_type: str) -> tuple[Submission, str | None]:
    """The submission in a body of ``media_type``, and the ``api_key`` field if it carries one."""
    if media_type == "application/x-www-form-urlencoded":
        pairs = form_pairs(body)
    elif media_type == "application/json" or media_type.endswith("+json"):
        pairs = json_pairs(body)
    else:
        raise InvalidInput(
            {"Content-Type": "expected application/x-www-form-urlencoded or application/json"},
            status=415,
            slug="unsupported-media-type",
        )
    parsed = parse_open311_form(pairs)
    return submission_from(parsed), parsed.fields.get("api_key") or None
