"""Documents handed in with a request: checked against the catalogue before anything is stored."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import attrs

from localgov.catalogue import Catalogue, ServiceDefinition
from localgov.requests.errors import InvalidDocument
from localgov.requests.model import AttachedDocument

__all__ = ["DocumentUpload", "check_uploads"]

# The first bytes of each media type localgov can recognise: a file is what it claims to be.
MAGIC_BYTES = {"pdf": b"%PDF-", "jpeg": b"\xff\xd8\xff", "png": b"\x89PNG\r\n\x1a\n"}


@attrs.frozen
class DocumentUpload:
    """A document handed in at submission or with a response to a send-back."""

    type: str
    content: bytes = attrs.field(repr=lambda c: f"<{len(c)} bytes>")
    media_type: str
    filename: str | None = None


def check_uploads(
    catalogue: Catalogue, service: ServiceDefinition, uploads: Sequence[DocumentUpload]
) -> tuple[AttachedDocument, ...]:
    """The documents as the request records them (type, SHA-256, size); refuse any the service
    does not ask for, of a type it does not accept, whose content is not of that type, or too large."""
    requirements = {r.type: r for r in service.documents}
    attached = []
    for index, upload in enumerate(uploads):
        where = f"document {index + 1} ({upload.type!r})"
        requirement = requirements.get(upload.type)
        if requirement is None:
            raise InvalidDocument(
                f"{where}: {service.code} does not ask for this document (asks for: {', '.join(requirements)})"
            )
        document_type = catalogue.document_types[upload.type]
        accepted = requirement.accepted_types or document_type.accepted_types
        if upload.media_type not in accepted:
            raise InvalidDocument(f"{where}: {upload.media_type!r} is not accepted (accepted: {', '.join(accepted)})")
        magic = MAGIC_BYTES.get(upload.media_type)
        if magic is not None and not upload.content.startswith(magic):
            raise InvalidDocument(f"{where}: the content is not a {upload.media_type} file")
        limit = requirement.max_size_mb or document_type.max_size_mb
        if len(upload.content) > limit * 1024 * 1024:
            raise InvalidDocument(f"{where}: {len(upload.content) / 1048576:.1f} MB is over the {limit:g} MB limit")
        attached.append(
            AttachedDocument(
                type=upload.type,
                sha256=hashlib.sha256(upload.content).hexdigest(),
                size=len(upload.content),
                media_type=upload.media_type,
                filename=upload.filename,
            )
        )
    return tuple(attached)
