"""Documents handed in over HTTP: a multipart body read as a stream, each part checked as it arrives.

A part is named by its document type (``ownership_proof``); its media type and size are held to
what the catalogue allows that service's document (the service's own narrowing first, then the
document type's), and the first part at fault stops the reading: nothing more of the body is read,
nothing is stored, and the problem document names the part. Only parts within their limits are
kept in memory, so a body is never held beyond the sum of its documents' limits (and the service's
``max_body``). The engine checks the documents again when it acts, as for every other caller.
"""

from __future__ import annotations

from typing import Any

import attrs
import multipart  # type: ignore[import-untyped]
from litestar import Request

from localgov.catalogue import Catalogue, ServiceDefinition
from localgov.requests import DocumentUpload
from localgov.requests.uploads import MAGIC_BYTES
from localgov.web.problems import InvalidInput

__all__ = ["MEDIA_TYPES", "Limits", "UploadForm", "limits_for", "read_upload"]

#: The HTTP media types of the catalogue's document formats.
MEDIA_TYPES = {"application/pdf": "pdf", "image/jpeg": "jpeg", "image/png": "png"}
_FIELDS = frozenset({"action", "expected_version", "comment", "role"})
_FIELD_LIMIT = 4096
_MAX_PARTS = 40


@attrs.frozen
class Limits:
    """What one document type may be for one service: its formats and its size in bytes."""

    accepted: tuple[str, ...]
    max_bytes: int


@attrs.frozen
class UploadForm:
    fields: dict[str, str]
    documents: list[DocumentUpload]


def limits_for(catalogue: Catalogue, service: ServiceDefinition) -> dict[str, Limits]:
    """Each document type ``service`` asks for, with what it accepts."""
    limits = {}
    for requirement in service.documents:
        kind = catalogue.document_types[requirement.type]
        megabytes = requirement.max_size_mb or kind.max_size_mb
        limits[requirement.type] = Limits(requirement.accepted_types or kind.accepted_types, int(megabytes * 1048576))
    return limits


def _refuse(name: str, reason: str) -> InvalidInput:
    return InvalidInput({name: reason}, status=422, slug="invalid-document")


class _Reader:
    """The parser's events for one body, turned into fields and documents (or a refusal)."""

    def __init__(self, limits: dict[str, Limits]) -> None:
        self.limits = limits
        self.fields: dict[str, str] = {}
        self.documents: list[DocumentUpload] = []
        self._part: Any = None
        self._chunks: list[bytes] = []
        self._size = 0
        self._media = ""

    def start(self, segment: Any) -> None:
        name = segment.name or ""
        self._part, self._chunks, self._size = segment, [], 0
        if segment.filename is None:
            if name not in _FIELDS:
                raise InvalidInput({name or "(part)": f"not a field here (fields: {', '.join(sorted(_FIELDS))})"})
            if name in self.fields:
                raise InvalidInput({name: "given more than once"})
            return
        where = f"documents.{name}"
        limits = self.limits.get(name)
        if limits is None:
            asked = ", ".join(self.limits) or "none"
            raise _refuse(
                where, f"هذه الخدمة لا تطلب هذا المستند / the service does not ask for it (asks for: {asked})"
            )
        self._media = MEDIA_TYPES.get((segment.content_type or "").lower(), "")
        if self._media not in limits.accepted:
            raise _refuse(
                where,
                f"نوع الملف غير مقبول / {segment.content_type or 'no media type'} is not accepted "
                f"(accepted: {', '.join(limits.accepted)})",
            )

    def data(self, chunk: bytes) -> None:
        self._size += len(chunk)
        name = self._part.name or ""
        if self._part.filename is None:
            if self._size > _FIELD_LIMIT:
                raise InvalidInput({name: f"longer than {_FIELD_LIMIT} bytes"})
        elif self._size > self.limits[name].max_bytes:
            megabytes = self.limits[name].max_bytes / 1048576
            raise _refuse(f"documents.{name}", f"الملف أكبر من المسموح / larger than the {megabytes:g} MB limit")
        self._chunks.append(bytes(chunk))

    def end(self) -> None:
        part, content = self._part, b"".join(self._chunks)
        name = part.name or ""
        if part.filename is None:
            try:
                self.fields[name] = content.decode("utf-8")
            except UnicodeDecodeError:
                raise InvalidInput({name: "not UTF-8 text"}) from None
            return
        magic = MAGIC_BYTES.get(self._media)
        if not content or (magic is not None and not content.startswith(magic)):
            raise _refuse(
                f"documents.{name}", f"المحتوى ليس ملف {self._media} / the content is not a {self._media} file"
            )
        self.documents.append(DocumentUpload(name, content, self._media, part.filename or None))


async def read_upload(request: Request[Any, Any, Any], limits: dict[str, Limits]) -> UploadForm:
    """The fields and documents of a ``multipart/form-data`` body, refused at the first part at fault."""
    kind, options = multipart.parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get("boundary", "")
    if kind != "multipart/form-data" or not boundary:
        raise InvalidInput(
            {"Content-Type": "expected multipart/form-data with a boundary"}, status=415, slug="unsupported-media-type"
        )
    reader = _Reader(limits)
    try:
        parser = multipart.PushMultipartParser(boundary, max_segment_count=_MAX_PARTS, strict=True)
        async for chunk in request.stream():
            for event in parser.parse(chunk):
                if isinstance(event, multipart.MultipartSegment):
                    reader.start(event)
                elif event is None:
                    reader.end()
                else:
                    reader.data(event)
            if parser.closed:
                break
        parser.close()
    except multipart.MultipartError as error:
        raise InvalidInput({"(body)": f"not a valid multipart body: {error}"}) from None
    return UploadForm(reader.fields, reader.documents)
