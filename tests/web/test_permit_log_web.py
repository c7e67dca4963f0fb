"""The public permit log over HTTP, read back by a tlog client's means: tiles, bundles, proofs."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from localgov.storage.permit_log import SqlPermitLog
from localgov.testing.web import serve
from localgov.transparency import (
    Ed25519Signer,
    InclusionProofFile,
    SignedCheckpoint,
    Tile,
    decode_entry_bundle,
    leaf_hash,
    root_from_tiles,
    verify_consistency,
    verify_inclusion_from_tiles,
)
from localgov.web import create_app
from tests.requests.support import open_engine
from tests.web.support import with_payments

ORIGIN = "log.cairo.gov.eg/permits"
ENTRIES = 300  # one full tile of 256 and a partial one of 44


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, SqlPermitLog, Ed25519Signer]]:
    database = f"sqlite:///{tmp_path_factory.mktemp('log') / 'log.db'}"
    engine = open_engine(database)
    log = SqlPermitLog.open(database, origin=ORIGIN)
    signer = Ed25519Signer.generate(ORIGIN)
    log.append_many([f"permit {n}\n".encode() for n in range(ENTRIES)])
    log.sign_checkpoint([signer])
    with serve(create_app(with_payments(), engine, permit_log=log)) as url:
        yield url, log, signer
    log.close()


def _fetch(url: str) -> object:
    def fetch(tile: Tile) -> bytes | None:
        response = httpx.get(f"{url}/log/{tile.path}")
        return response.content if response.status_code == 200 else None

    return fetch


def test_the_checkpoint_and_the_root_rebuilt_from_tiles(served: tuple[str, SqlPermitLog, Ed25519Signer]) -> None:
    url, _, signer = served
    response = httpx.get(f"{url}/log/checkpoint")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    signed = SignedCheckpoint.parse(response.text)
    verified = signed.verify([signer.verifier], origin=ORIGIN)
    assert verified.checkpoint.size == ENTRIES
    assert root_from_tiles(_fetch(url), ENTRIES) == verified.checkpoint.root_hash  # type: ignore[arg-type]
    verify_inclusion_from_tiles(_fetch(url), verified.checkpoint, 299, leaf_hash(b"permit 299\n"))  # type: ignore[arg-type]


def test_full_tiles_are_immutable_and_partial_ones_are_not(served: tuple[str, SqlPermitLog, Ed25519Signer]) -> None:
    url, _, _ = served
    full = httpx.get(f"{url}/log/tile/0/000")
    partial = httpx.get(f"{url}/log/tile/0/001.p/44")
    assert (len(full.content), len(partial.content)) == (256 * 32, 44 * 32)
    assert "immutable" in full.headers["cache-control"] and "immutable" not in partial.headers["cache-control"]
    for missing in ["tile/0/001", "tile/0/001.p/43", "tile/0/002", "tile/1/000", "tile/0/0", "tile/x/000"]:
        response = httpx.get(f"{url}/log/{missing}")
        assert response.status_code == 404, missing
        assert response.headers["content-type"] == "application/problem+json"


def test_entry_bundles_hold_the_entries(served: tuple[str, SqlPermitLog, Ed25519Signer]) -> None:
    url, _, _ = served
    entries = decode_entry_bundle(httpx.get(f"{url}/log/tile/entries/001.p/44").content, 44)
    assert entries[0] == b"permit 256\n" and entries[-1] == b"permit 299\n"


def test_an_inclusion_proof_file_verifies_offline(served: tuple[str, SqlPermitLog, Ed25519Signer]) -> None:
    url, _, signer = served
    proof = InclusionProofFile.parse(httpx.get(f"{url}/log/proof/inclusion", params={"index": 7}).text)
    verified = proof.verify(b"permit 7\n", [signer.verifier], origin=ORIGIN)
    assert proof.index == 7 and verified.checkpoint.size == ENTRIES
    assert httpx.get(f"{url}/log/proof/inclusion", params={"index": ENTRIES}).status_code == 404
    assert httpx.get(f"{url}/log/proof/inclusion", params={"index": -1}).status_code == 400


def test_a_proof_is_found_by_the_leaf_hash_a_verifier_computes(
    served: tuple[str, SqlPermitLog, Ed25519Signer],
) -> None:
    url, _, signer = served
    response = httpx.get(f"{url}/log/proof/by-hash", params={"hash": leaf_hash(b"permit 42\n").hex()})
    proof = InclusionProofFile.parse(response.text)
    assert proof.index == 42
    proof.verify(b"permit 42\n", [signer.verifier], origin=ORIGIN)
    absent = httpx.get(f"{url}/log/proof/by-hash", params={"hash": leaf_hash(b"never logged").hex()})
    assert (absent.status_code, absent.json()["type"]) == (404, "urn:localgov:problem:not-in-log")
    for garbled in ["abc", leaf_hash(b"x").hex().upper(), "g" * 64]:
        assert httpx.get(f"{url}/log/proof/by-hash", params={"hash": garbled}).status_code == 400, garbled


def test_a_leaf_after_the_latest_checkpoint_is_pending_not_absent(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'log.db'}"
    log = SqlPermitLog.open(database, origin=ORIGIN)
    log.append(b"permit 0\n")
    log.sign_checkpoint([Ed25519Signer.generate(ORIGIN)])
    log.append(b"permit 1\n")
    with serve(create_app(with_payments(), open_engine(database), permit_log=log)) as url:
        pending = httpx.get(f"{url}/log/proof/by-hash", params={"hash": leaf_hash(b"permit 1\n").hex()})
    log.close()
    assert (pending.status_code, pending.json()["type"]) == (404, "urn:localgov:problem:log-pending")
    assert "index 1" in pending.json()["detail"]


def test_a_consistency_proof_links_an_earlier_size(served: tuple[str, SqlPermitLog, Ed25519Signer]) -> None:
    url, log, _ = served
    body = httpx.get(f"{url}/log/proof/consistency", params={"from": 100}).json()
    proof = [base64.b64decode(h) for h in body["proof"]]
    verify_consistency(
        100, ENTRIES, proof, log.root(100), SignedCheckpoint.parse(body["checkpoint"]).checkpoint.root_hash
    )
    assert httpx.get(f"{url}/log/proof/consistency", params={"from": ENTRIES + 1}).status_code == 404


def test_without_a_log_there_is_no_log_path(tmp_path: Path) -> None:
    engine = open_engine("sqlite://")
    with serve(create_app(with_payments(), engine)) as url:
        assert httpx.get(f"{url}/log/checkpoint").status_code == 404
