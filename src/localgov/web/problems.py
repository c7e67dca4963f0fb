"""Errors as RFC 9457 problem documents (``application/problem+json``), naming the field at fault.

Every refusal localgov makes on purpose is a :class:`~localgov.errors.LocalgovError`; this module
gives each family an HTTP status and a stable ``type`` URI, so a portal can branch on the type and
show the ``detail`` to the person at the keyboard. Anything unexpected becomes a bare 500 that
names nothing: no stack trace, path or secret ever leaves the server (it is logged instead).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

import attrs
from litestar import Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException, ValidationException

from localgov.correspondence import (
    InvalidLetter,
    InvalidLetterSignature,
    LetterConflict,
    LetterKeyReused,
    LetterNotAllowed,
    UnknownLetter,
)
from localgov.errors import LocalgovError
from localgov.reports import InvalidReportQuery, ReportNotPermitted, UnknownReport
from localgov.requests.errors import (
    ActionNotAllowed,
    CommentRequired,
    Conflict,
    GuardFailed,
    IdempotencyKeyReused,
    InvalidDocument,
    InvalidForm,
    InvalidPayment,
    InvalidSubmission,
    NotAssigned,
    RoleNotAllowed,
    SeparationOfDuties,
    UnknownRequest,
)
from localgov.web.status import StatusRefused, TooManyTries

__all__ = ["PROBLEM_JSON", "InvalidInput", "Problem", "ProblemField", "exception_handlers", "problem_response"]

PROBLEM_JSON = "application/problem+json"
_TYPE = "urn:localgov:problem:"
_log = logging.getLogger("localgov.web")


@attrs.frozen
class ProblemField:
    """One field at fault: its name (a JSON pointer-like path, ``form.plot_area``) and why."""

    name: str
    reason: str


@attrs.frozen
class Problem:
    """An RFC 9457 problem document; ``errors`` lists the fields at fault, when there are any."""

    type: str
    title: str
    status: int
    detail: str
    errors: Sequence[ProblemField] = ()

    def to_json(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "type": self.type,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if self.errors:
            document["errors"] = [{"name": e.name, "reason": e.reason} for e in self.errors]
        return document


class InvalidInput(LocalgovError):
    """Input the web service refuses before the engine sees it (a malformed Open311 key, a document
    over its limit...): :attr:`fields` maps each field at fault, as the caller named it, to why."""

    def __init__(self, fields: Mapping[str, str], *, status: int = 400, slug: str = "invalid-input") -> None:
        self.fields, self.status, self.slug = dict(fields), status, slug
        super().__init__("; ".join(f"{name}: {reason}" for name, reason in self.fields.items()))


# Most specific first: the first class an error is an instance of decides.
_STATUS: Sequence[tuple[type[LocalgovError], int, str, str]] = (
    (TooManyTries, 429, "too-many-tries", "Too many wrong access codes"),
    (StatusRefused, 404, "unknown-request", "No request matches this number and access code"),
    (UnknownRequest, 404, "unknown-request", "No such request"),
    (InvalidForm, 422, "invalid-form", "The form does not match the service's fields"),
    (InvalidDocument, 422, "invalid-document", "A document was refused"),
    (InvalidSubmission, 422, "invalid-submission", "The submission cannot be taken"),
    (InvalidPayment, 422, "invalid-payment", "The payment amount is not usable"),
    (CommentRequired, 422, "comment-required", "This action needs a comment"),
    (NotAssigned, 403, "not-assigned", "The request is assigned to someone else"),
    (SeparationOfDuties, 403, "separation-of-duties", "Separation of duties forbids this actor"),
    (RoleNotAllowed, 403, "role-not-allowed", "The actor's roles do not allow this action"),
    (Conflict, 409, "conflict", "The request changed since it was read"),
    (IdempotencyKeyReused, 409, "idempotency-key-reused", "The idempotency key was used for other content"),
    (ActionNotAllowed, 409, "action-not-allowed", "The action cannot be taken from this state"),
    (GuardFailed, 409, "condition-not-met", "A condition of the action is not met"),
    (UnknownLetter, 404, "unknown-letter", "No such letter"),
    (InvalidLetter, 422, "invalid-letter", "The letter cannot be sent as it is"),
    (InvalidLetterSignature, 422, "invalid-letter-signature", "The letter's signature does not verify"),
    (LetterNotAllowed, 403, "letter-not-allowed", "The caller may not do this with the letter"),
    (LetterConflict, 409, "letter-conflict", "The letter changed at the same moment"),
    (LetterKeyReused, 409, "idempotency-key-reused", "The idempotency key was used for another letter"),
    (ReportNotPermitted, 403, "report-not-permitted", "The caller's roles do not allow this report"),
    (UnknownReport, 404, "unknown-report", "No report has this name"),
    (InvalidReportQuery, 400, "invalid-report-query", "The period or a filter is not valid"),
)


def problem_for(error: LocalgovError) -> Problem:
    """The problem document of a deliberate refusal."""
    if isinstance(error, InvalidInput):
        fields = tuple(ProblemField(name, reason) for name, reason in error.fields.items())
        title = "The input is not valid" if error.status == 400 else "The input was refused"
        return Problem(type=_TYPE + error.slug, title=title, status=error.status, detail=str(error), errors=fields)
    for cls, status, slug, title in _STATUS:
        if isinstance(error, cls):
            break
    else:
        status, slug, title = 422, "refused", "The request was refused"
    errors: tuple[ProblemField, ...] = ()
    if isinstance(error, InvalidForm):
        # The applicant's fields are named in full already (applicant.mobile); the form's are not.
        prefix = "" if error.service == "applicant" else "form."
        errors = tuple(ProblemField(f"{prefix}{name}", reason) for name, reason in error.problems.items())
    return Problem(type=_TYPE + slug, title=title, status=status, detail=str(error), errors=errors)


def problem_response(problem: Problem, headers: Mapping[str, str] | None = None) -> Response[Any]:
    return Response(content=problem.to_json(), status_code=problem.status, media_type=PROBLEM_JSON, headers=headers)


def _refusal(request: Request[Any, Any, Any], error: LocalgovError) -> Response[Any]:
    problem = problem_for(error)
    retry = None
    if isinstance(error, TooManyTries):
        retry = {"Retry-After": str(int(request.app.state["localgov"].settings.access_code_window))}
    return problem_response(problem, retry)


def _validation(_: Request[Any, Any, Any], error: ValidationException) -> Response[Any]:
    fields = []
    for item in error.extra if isinstance(error.extra, list) else []:
        if isinstance(item, Mapping):
            name = str(item.get("key") or item.get("source") or "body")
            fields.append(ProblemField(name, str(item.get("message", "invalid"))))
    detail = "; ".join(f"{f.name}: {f.reason}" for f in fields) or str(error.detail)
    return problem_response(
        Problem(type=_TYPE + "invalid-input", title="The input is not valid", status=400, detail=detail, errors=fields)
    )


def _http(_: Request[Any, Any, Any], error: HTTPException) -> Response[Any]:
    status = error.status_code
    slug = {
        401: "unauthenticated",
        403: "forbidden",
        404: "not-found",
        405: "method-not-allowed",
        429: "too-many-requests",
    }.get(status, "http")
    headers = dict(error.headers or {})
    if isinstance(error, NotAuthorizedException):
        headers.setdefault("WWW-Authenticate", 'Bearer realm="localgov"')
    detail = error.detail if status < 500 else "internal error"
    return problem_response(Problem(type=_TYPE + slug, title=str(detail), status=status, detail=str(detail)), headers)


def _unexpected(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    _log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=error)
    return problem_response(
        Problem(type=_TYPE + "internal", title="Internal error", status=500, detail="internal error; it was logged")
    )


exception_handlers: Mapping[Any, Any] = {
    LocalgovError: _refusal,
    ValidationException: _validation,
    HTTPException: _http,
    Exception: _unexpected,
}
