"""What the verification page's tests share: a hierarchy, its signed lists on disk, permits of every outcome.

Everything is made with the test kit (:mod:`localgov.testing.pki`): a root, a trust-list signer,
the C-ZTN unit signer on the trust list, and a foreign hierarchy whose signer no list names.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import attrs
from cryptography.hazmat.primitives import serialization

from localgov.pki import kid_of
from localgov.testing.pki import TestPki, build_test_pki
from localgov.tokens import (
    PermitClaims,
    RevocationList,
    RevocationUpdate,
    TrustList,
    decode_text,
    encode_text,
    issue,
    reference_building_permit,
    revocation_hash,
)

REVOKED_NUMBER = "2025/000999"


@attrs.frozen
class World:
    """The hierarchy, the files the server hands out, the Python objects they load to, and tokens."""

    pki: TestPki
    foreign: TestPki
    directory: Path
    now: datetime
    trust: TrustList
    revocations: RevocationList

    @property
    def trust_list_path(self) -> Path:
        return self.directory / "trust-list.cose"

    @property
    def revocations_path(self) -> Path:
        return self.directory / "revocations.cose"

    @property
    def root_path(self) -> Path:
        return self.directory / "root.pem"

    def claims(self, **changes: object) -> PermitClaims:
        """The reference permit issued a day ago, with ``changes``."""
        return attrs.evolve(reference_building_permit(self.now - timedelta(days=1)), **changes)  # type: ignore[arg-type]

    def token(self, **changes: object) -> str:
        return issue(self.claims(**changes), self.pki.signer)

    @property
    def valid(self) -> str:
        return self.token()

    @property
    def tampered(self) -> str:
        return tamper(self.valid, offset=-80)

    @property
    def revoked(self) -> str:
        return self.token(permit_number=REVOKED_NUMBER)

    @property
    def expired(self) -> str:
        issued = self.now - timedelta(days=20)
        return self.token(issued_at=issued, expires_at=issued + timedelta(days=10))

    @property
    def foreign_signed(self) -> str:
        return issue(self.claims(), self.foreign.signer)


def tamper(token: str, offset: int) -> str:
    """The token with one bit of its COSE bytes flipped at ``offset`` (negative: from the end)."""
    message = bytearray(decode_text(token))
    message[offset] ^= 0x01
    return encode_text(bytes(message), compress=False)


def build_world(directory: Path) -> World:
    now = datetime.now(UTC).replace(microsecond=0)
    pki = build_test_pki(directory / "pki")
    foreign = build_test_pki(directory / "foreign")
    root = pki.root.certificate
    signed_trust = TrustList.build([pki.signer.certificate], sequence=3, issued_at=now - timedelta(days=2)).sign(
        pki.trust_list_signer, root
    )
    update = RevocationUpdate(
        7,
        {kid_of(pki.signer.certificate): {revocation_hash("C-ZTN", REVOKED_NUMBER)}},
        issued_at=now - timedelta(hours=5),
    )
    signed_revocations = update.sign(pki.trust_list_signer, root)
    files = directory / "served"
    files.mkdir()
    (files / "trust-list.cose").write_bytes(signed_trust)
    (files / "revocations.cose").write_bytes(signed_revocations)
    (files / "root.pem").write_bytes(root.public_bytes(serialization.Encoding.PEM))
    return World(
        pki,
        foreign,
        files,
        now,
        TrustList.load(signed_trust, root),
        RevocationList.from_updates([RevocationUpdate.load(signed_revocations, root)]),
    )
