"""The refusals each operation may answer with, for the OpenAPI document: all are problem documents.

Litestar documents its own validation error shape for 400; the problem handlers of
:mod:`localgov.web.problems` answer with RFC 9457 documents instead, so every listed status is
declared here with :class:`~localgov.web.api.wire.ProblemDocument`, and a generated client (or
schemathesis) checks the body the service really sends.
"""

from __future__ import annotations

from collections.abc import Mapping

from litestar.openapi import ResponseSpec

from localgov.web.api.wire import ProblemDocument
from localgov.web.problems import PROBLEM_JSON

__all__ = ["problems"]

_DESCRIPTIONS = {
    400: "The input is not valid: each field at fault is named in `errors`",
    401: "No API key, or one that is not known (see WWW-Authenticate)",
    403: "The caller's roles, or separation of duties, do not allow this",
    404: "No such request (or a wrong access code: the two are not told apart)",
    409: "The request changed since it was read, or the action cannot be taken from its state",
    413: "The body is larger than allowed",
    415: "The body is not of a media type this operation takes",
    422: "Refused: the form, a document or the submission does not meet the service's rules",
    429: "Too many wrong access codes from this address: wait (see Retry-After)",
}


def problems(*statuses: int) -> Mapping[int, ResponseSpec]:
    """Responses for ``statuses`` (400 always, since any parameter can be malformed)."""
    return {
        status: ResponseSpec(
            data_container=ProblemDocument,
            description=_DESCRIPTIONS[status],
            media_type=PROBLEM_JSON,
            generate_examples=False,
        )
        for status in sorted({400, *statuses})
    }
