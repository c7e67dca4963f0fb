"""A throwaway certificate hierarchy for tests, demos and documentation.

:func:`build_test_pki` makes a national root, a governorate CA, a trust-list signer and one unit
document signer, writes them to a directory (certificates as PEM, keys encrypted with
:data:`TEST_PASSPHRASE`, mode 0600) and returns them, with a signed trust list, ready to use::

    from localgov.testing.pki import build_test_pki

    def test_something(tmp_path):
        pki = build_test_pki(tmp_path)
        token = localgov.tokens.issue(claims, pki.signer)
        localgov.tokens.verify(token, pki.trust_list())

The ``localgov_pki`` fixture of localgov's pytest plugin (:mod:`localgov.testing.pytest_plugin`,
which pytest loads wherever localgov is installed) does the same in a temporary directory. The
PDF-signing work signs with ``pki.signer`` and validates against ``pki.root.certificate`` with the
chain ``pki.chain``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import attrs
from cryptography import x509

from localgov.pki import (
    Credential,
    create_root,
    issue_governorate_ca,
    issue_trust_list_signer,
    issue_unit_signer,
    save_certificate,
    save_private_key,
)
from localgov.pki.hierarchy import SIGNER_VALIDITY
from localgov.tokens.short_codes import KIND_CODES
from localgov.tokens.trust import TrustList

__all__ = ["TEST_PASSPHRASE", "TestPki", "build_test_pki", "localgov_pki"]

#: Passphrase of every key :func:`build_test_pki` writes. Test material only.
TEST_PASSPHRASE = b"localgov-test-only"
#: Unit the test signer belongs to (the reference permit's issuer).
TEST_UNIT = "C-ZTN"
TEST_GOVERNORATE = "C"


@attrs.frozen
class TestPki:
    """The hierarchy and where its files are."""

    __test__ = False  # not a test class, despite the name

    directory: Path
    root: Credential
    governorate_ca: Credential
    trust_list_signer: Credential
    signer: Credential

    @property
    def chain(self) -> tuple[x509.Certificate, ...]:
        """Signer to root, for PDF signatures and chain validation."""
        return (self.signer.certificate, self.governorate_ca.certificate, self.root.certificate)

    def path(self, name: str) -> Path:
        """``root``, ``governorate-ca``, ``trust-list-signer`` or ``signer``, plus ``.pem`` / ``.key``."""
        return self.directory / name

    def issue_signer(
        self,
        unit_code: str = TEST_UNIT,
        kinds: Iterable[str] = ("building_permit",),
        *,
        validity: timedelta = SIGNER_VALIDITY,
        now: datetime | None = None,
    ) -> Credential:
        """Another unit signer under the same governorate CA (rotation, other units).

        It starts when the hierarchy does unless ``now`` says otherwise.
        """
        start = now or self.governorate_ca.certificate.not_valid_before_utc
        return issue_unit_signer(self.governorate_ca, unit_code, kinds, validity=validity, now=start)

    def trust_list(
        self,
        *signers: Credential,
        sequence: int = 1,
        retired: dict[bytes, datetime] | None = None,
    ) -> TrustList:
        """A trust list of ``signers`` (default: the test signer), as a verifier would load it."""
        certificates = [s.certificate for s in signers or (self.signer,)]
        draft = TrustList.build(
            certificates,
            sequence=sequence,
            retired=retired,
            root=self.root.certificate,
            intermediates=[self.governorate_ca.certificate],
        )
        signed = draft.sign(self.trust_list_signer, self.root.certificate)
        return TrustList.load(signed, self.root.certificate)

    def signed_trust_list(self, *signers: Credential, sequence: int = 1) -> bytes:
        certificates = [s.certificate for s in signers or (self.signer,)]
        draft = TrustList.build(certificates, sequence=sequence)
        return draft.sign(self.trust_list_signer, self.root.certificate)


def _save(directory: Path, name: str, credential: Credential, passphrase: bytes | None) -> None:
    save_certificate(directory / f"{name}.pem", credential.certificate)
    save_private_key(directory / f"{name}.key", credential.private_key, passphrase)


def build_test_pki(
    directory: str | Path,
    *,
    kinds: Iterable[str] = tuple(KIND_CODES),
    unit_code: str = TEST_UNIT,
    passphrase: bytes | None = TEST_PASSPHRASE,
    now: datetime | None = None,
) -> TestPki:
    """Make and save the hierarchy in ``directory``; the signer may sign ``kinds``.

    ``now`` back-dates the whole hierarchy (default: 30 days ago, so tokens dated a little in
    the past are inside the signer's validity).
    """
    start = now or datetime.now(UTC) - timedelta(days=30)
    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    root = create_root("localgov TEST Root CA", now=start)
    governorate_ca = issue_governorate_ca(root, TEST_GOVERNORATE, "localgov TEST Cairo CA", now=start)
    trust_signer = issue_trust_list_signer(root, "localgov TEST Trust List Signer", now=start)
    signer = issue_unit_signer(governorate_ca, unit_code, kinds, now=start)
    for name, credential in (
        ("root", root),
        ("governorate-ca", governorate_ca),
        ("trust-list-signer", trust_signer),
        ("signer", signer),
    ):
        _save(target, name, credential, passphrase)
    return TestPki(target, root, governorate_ca, trust_signer, signer)


try:  # the demo uses this module too, where pytest need not be installed
    from localgov.testing.pytest_plugin import localgov_pki
except ImportError:  # pragma: no cover
    pass
