"""Fixtures for the token tests: one throwaway hierarchy per session (key generation is slow)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from localgov.testing.pki import TestPki, build_test_pki
from localgov.tokens import PermitClaims, TrustList, issue, reference_building_permit


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
