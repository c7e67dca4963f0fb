"""``localgov verify FILE.pdf``: the PDF verifier the CLI registers for the ``.pdf`` suffix.

Wire it once, where the CLI is assembled::

    from localgov.cli.verify import register_file_verifier
    from localgov.cli.documents import verify_pdf_file
    register_file_verifier(".pdf", verify_pdf_file)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from localgov.documents.verification import PdfVerdict, verify_pdf
from localgov.tokens import format_permit

__all__ = ["EXIT_INVALID", "EXIT_VALID", "print_verdict", "verify_pdf_file"]

EXIT_VALID, EXIT_INVALID = 0, 1


def print_verdict(verdict: PdfVerdict, path: Path | str) -> None:
    signature = verdict.signature
    if verdict.valid and signature is not None and verdict.permit is not None:
        click.echo("✓ مستند صحيح: التوقيع سليم ورمز التحقق يطابق المستند")
        click.echo(f"✓ valid document: {path} is signed ({signature.level}) and its QR code matches it")
        click.echo(f"signer: {signature.signer}")
        if signature.signed_at is not None:
            click.echo(
                f"signed at: {signature.signed_at.isoformat()}" + (" (timestamped)" if signature.timestamped else "")
            )
        click.echo("")
        click.echo(format_permit(verdict.permit.claims))
        return
    click.echo(f"✗ مستند غير صالح / invalid document: {path}")
    for problem in verdict.problems:
        click.echo(f"✗ {problem.message.ar}")
        click.echo(f"  {problem.message.en}")
        click.echo(f"reason: {problem.code}")


def verify_pdf_file(path: Path, context: Any) -> int:
    """A ``FileVerifier`` for :func:`localgov.cli.verify.register_file_verifier`; returns the exit code.

    ``context`` is the CLI's ``VerifyContext`` (trust list, root, revocations, moment).
    """
    verdict = verify_pdf(path, context.trust, context.revocations, root=context.root, at=context.at)
    print_verdict(verdict, path)
    return EXIT_VALID if verdict.valid else EXIT_INVALID
