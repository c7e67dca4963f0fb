"""Shared fixtures: a test PKI, the Cairo app, a permit request issued by the demo's scenario."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from localgov.app import Localgov
from localgov.documents import DocumentFactory, PdfSigner
from localgov.documents.examples import example_request
from localgov.requests.model import Request
from localgov.testing.pki import TestPki, build_test_pki

from .support import poppler_available

make_request = example_request


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> TestPki:
    return build_test_pki(tmp_path_factory.mktemp("documents-pki"))


@pytest.fixture(scope="session")
def app() -> Localgov:
    return Localgov(plugins=["cairo"])


@pytest.fixture(scope="session")
def issued_request() -> Request:
    return make_request()


@pytest.fixture(scope="session")
def factory(app: Localgov, pki: TestPki) -> DocumentFactory:
    return DocumentFactory(app, signer=PdfSigner(pki.signer, pki.chain[1:]))


@pytest.fixture(scope="session")
def permit_pdf(factory: DocumentFactory, issued_request: Request, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("permit") / "permit.pdf"
    path.write_bytes(factory.permit(issued_request, issued_at=datetime.now(UTC)))
    return path


@pytest.fixture(scope="session")
def poppler() -> Iterator[None]:
    if not poppler_available():
        pytest.skip("poppler-utils and libnss3-tools are missing (run scripts/ensure-poppler as root)")
    yield
