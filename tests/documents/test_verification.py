"""verify_pdf: what passes, and that each kind of failure is named."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from localgov.documents import DocumentFactory, PdfSigner, verify_pdf
from localgov.documents.factory import INFO_HOLDER
from localgov.requests.model import Request
from localgov.testing.pki import TestPki, build_test_pki

from .support import revocation_data, timestamp_authority


def test_a_signed_permit_verifies(permit_pdf: Path, pki: TestPki, issued_request: Request) -> None:
    verdict = verify_pdf(permit_pdf, pki.trust_list(), root=pki.root.certificate)
    assert verdict.valid, verdict.problems
    assert verdict.signature is not None and verdict.signature.level == "B-B"
    assert verdict.permit is not None and verdict.permit.claims.permit_number == issued_request.issued.number  # type: ignore[union-attr]
    assert verdict.document_facts[INFO_HOLDER] == issued_request.applicant.name


def test_without_a_root_the_trust_list_anchors_the_signature(permit_pdf: Path, pki: TestPki) -> None:
    assert verify_pdf(permit_pdf.read_bytes(), pki.trust_list()).valid


def test_one_changed_byte_is_named(permit_pdf: Path, pki: TestPki) -> None:
    data = bytearray(permit_pdf.read_bytes())
    data[data.index(b"LocalgovHolder") + 20] ^= 0x01
    verdict = verify_pdf(bytes(data), pki.trust_list(), root=pki.root.certificate)
    assert not verdict.valid
    assert "signature_invalid" in verdict.codes


def test_another_hierarchy_is_not_trusted(permit_pdf: Path, tmp_path: Path) -> None:
    stranger = build_test_pki(tmp_path)
    verdict = verify_pdf(permit_pdf, stranger.trust_list(), root=stranger.root.certificate)
    assert {"signer_untrusted", "signer_not_on_trust_list", "token_unknown_signer"} <= set(verdict.codes)


def test_document_facts_that_differ_from_the_token_are_named(
    factory: DocumentFactory, issued_request: Request, pki: TestPki, monkeypatch: object
) -> None:
    from localgov.documents import verification

    data = factory.permit(issued_request, issued_at=datetime.now(UTC))
    original = verification._document_facts

    def altered(reader: object) -> dict[str, str]:
        facts = original(reader)
        facts[INFO_HOLDER] = "أحمد محمود"
        return facts

    monkeypatch.setattr(verification, "_document_facts", altered)  # type: ignore[attr-defined]
    verdict = verify_pdf(data, pki.trust_list(), root=pki.root.certificate)
    assert verdict.codes == ("mismatch_holder",)


def test_a_receipt_is_not_a_permit(factory: DocumentFactory, issued_request: Request, pki: TestPki) -> None:
    verdict = verify_pdf(factory.receipt(issued_request), pki.trust_list(), root=pki.root.certificate)
    assert "unsigned" in verdict.codes and "no_token" in verdict.codes


def test_timestamped_and_long_term_signatures(app: object, issued_request: Request, pki: TestPki) -> None:
    for signer, level in (
        (PdfSigner(pki.signer, pki.chain[1:], timestamper=timestamp_authority(pki)), "B-T"),
        (
            PdfSigner(
                pki.signer,
                pki.chain[1:],
                timestamper=timestamp_authority(pki),
                roots=[pki.root.certificate],
                revocation=revocation_data(pki),
            ),
            "B-LT",
        ),
    ):
        assert signer.level == level
        data = DocumentFactory(app, signer=signer).permit(issued_request)
        verdict = verify_pdf(data, pki.trust_list(), root=pki.root.certificate)
        assert verdict.valid, verdict.problems
        assert verdict.signature is not None and verdict.signature.timestamped
        assert verdict.signature.level == level
        assert (b"/DSS" in data) == (level == "B-LT")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=2000), st.integers(min_value=0, max_value=3))
def test_hostile_bytes_give_a_verdict_never_an_exception(
    permit_pdf: Path, pki: TestPki, noise: bytes, where: int
) -> None:
    base = permit_pdf.read_bytes()
    cut = len(base) * where // 4
    candidates = [noise, b"%PDF-1.7\n" + noise, base[:cut] + noise + base[cut + len(noise) :]]
    trust = pki.trust_list()
    for data in candidates:
        verdict = verify_pdf(data, trust, root=pki.root.certificate)
        assert not verdict.valid or data == base


def test_localgov_verify_accepts_a_pdf_once_registered(permit_pdf: Path, pki: TestPki, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from localgov.cli.documents import verify_pdf_file
    from localgov.cli.verify import register_file_verifier, verify_command
    from localgov.pki import save_certificate

    register_file_verifier(".pdf", verify_pdf_file)
    trust_file, root_file = tmp_path / "trust.cose", tmp_path / "root.pem"
    trust_file.write_bytes(pki.signed_trust_list())
    save_certificate(root_file, pki.root.certificate)
    arguments = ["--trust", str(trust_file), "--root", str(root_file)]
    valid = CliRunner().invoke(verify_command, [str(permit_pdf), *arguments])
    assert valid.exit_code == 0, valid.output
    assert "valid document" in valid.output and "2026/ZTN/000001" in valid.output
    tampered = tmp_path / "tampered.pdf"
    data = bytearray(permit_pdf.read_bytes())
    data[data.index(b"LocalgovHolder") + 20] ^= 0x01
    tampered.write_bytes(bytes(data))
    refused = CliRunner().invoke(verify_command, [str(tampered), *arguments])
    assert refused.exit_code == 1 and "reason: signature_invalid" in refused.output
