"""The documents part of ``make demo``: the receipt and the signed permit of the demo's request."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from localgov.documents.factory import DocumentFactory
from localgov.documents.signing import PdfSigner
from localgov.documents.verification import PdfVerdict, verify_pdf
from localgov.pki import Credential
from localgov.requests.model import Request
from localgov.tokens import TrustList

__all__ = ["demo_outputs"]


def demo_outputs(
    app: Any,
    engine: Any,
    request: Request,
    credential: Credential,
    trust: TrustList,
    output_dir: str | Path,
    *,
    chain: tuple[Any, ...] = (),
    issued_at: datetime.datetime | None = None,
) -> dict[str, Path]:
    """Write ``receipt.pdf`` and ``permit.pdf`` (signed) for an issued ``request``; verify the permit.

    ``engine`` is accepted so the demo can pass what it has; the request already carries what
    the documents print. ``chain`` holds the certificates above ``credential`` (CA, root) to
    embed in the signature. Raises :class:`~localgov.documents.DocumentError` if the permit
    written does not verify against ``trust``.
    """
    from localgov.documents.errors import DocumentError

    target = Path(output_dir)
    target.mkdir(parents=True, exist_ok=True)
    factory = DocumentFactory(app, signer=PdfSigner(credential, chain))
    receipt = target / "receipt.pdf"
    receipt.write_bytes(factory.receipt(request))
    permit = target / "permit.pdf"
    permit.write_bytes(factory.permit(request, issued_at=issued_at))
    verdict: PdfVerdict = verify_pdf(permit, trust, root=chain[-1] if chain else None)
    if not verdict.valid:
        raise DocumentError(f"the demo permit does not verify: {', '.join(verdict.codes)}")
    return {"receipt": receipt, "permit": permit}
