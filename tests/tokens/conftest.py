"""Fixtures for the token tests: one throwaway hierarchy per session (key generation is slow)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from localgov.pki import Credential, issue_unit_signer
from localgov.testing.pki import TestPki, build_test_pki
from localgov.tokens import PermitClaims, TrustList, issue, reference_building_permit
from localgov.tokens.short_codes import KIND_CODES


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> TestPki:
    return build_test_pki(tmp_path_factory.mktemp("token-pki"))


@pytest.fixture(scope="session")
def trust(pki: TestPki) -> TrustList:
    return pki.trust_list()


@pytest.fixture(scope="session")
def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


@pytest.fixture(scope="session")
def claims(now: datetime) -> PermitClaims:
    return reference_building_permit(now - timedelta(days=1))


@pytest.fixture(scope="session")
def token(claims: PermitClaims, pki: TestPki) -> str:
    return issue(claims, pki.signer)


@pytest.fixture(scope="session")
def signer_p384(pki: TestPki) -> Credential:
    """A second certificate of the test signer's unit, on a P-384 key: it signs ES384."""
    return issue_unit_signer(
        pki.governorate_ca,
        "C-ZTN",
        KIND_CODES,
        key=ec.generate_private_key(ec.SECP384R1()),
        now=pki.governorate_ca.certificate.not_valid_before_utc,
    )


@pytest.fixture(scope="session")
def trust_both(pki: TestPki, signer_p384: Credential) -> TrustList:
    """A trust list with the P-256 test signer and the P-384 one."""
    return pki.trust_list(pki.signer, signer_p384)
