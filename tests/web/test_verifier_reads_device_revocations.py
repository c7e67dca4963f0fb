"""The browser verifier's revocation reader, run under Node: a list that revokes devices (keys 7
and 8, issue #12) still reads, with its permit revocations unchanged."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from localgov.pki import create_root
from localgov.tokens import RevocationList, RevocationUpdate

STATIC = Path(__file__).parents[2] / "src" / "localgov" / "web" / "verifier" / "static"
SCRIPT = """
import { readFileSync } from "node:fs";
import { parseCertificate } from "./x509.js";
import { RevocationList, openRevocationUpdate } from "./revocation.js";
const root = await parseCertificate(new Uint8Array(readFileSync("root.der")));
const at = Math.floor(Date.now() / 1000);
let list = new RevocationList();
for (const name of ["full.cose", "delta.cose"]) {
  list = list.apply(await openRevocationUpdate(new Uint8Array(readFileSync(name)), root, at));
}
const kid = new Uint8Array(8).fill(7);
console.log(JSON.stringify({sequence: list.sequence, a: list.isRevoked(kid, new Uint8Array(16)),
  b: list.isRevoked(kid, new Uint8Array(16).fill(1))}));
"""


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js")
def test_the_browser_verifier_reads_a_list_that_revokes_devices(tmp_path: Path) -> None:
    folder = tmp_path / "static"
    shutil.copytree(STATIC, folder)
    (folder / "package.json").write_text('{"type": "module"}')
    (folder / "check.mjs").write_text(SCRIPT)
    root = create_root("JS check")
    now = datetime.now(UTC)
    permit_kid, device_kid = b"\x07" * 8, b"\x01" * 8
    full = RevocationUpdate(4, {permit_kid: [bytes(16)]}, issued_at=now, devices={device_kid: now})
    delta = RevocationList.from_updates([full]).delta(
        {permit_kid: [bytes([1] * 16)]},
        issued_at=now,
        revoke_devices={b"\x02" * 8: now},
        reinstate_devices=[device_kid],
    )
    assert 7 in full.to_payload() and 8 in delta.to_payload()
    (folder / "full.cose").write_bytes(full.sign(root, root.certificate))
    (folder / "delta.cose").write_bytes(delta.sign(root, root.certificate))
    (folder / "root.der").write_bytes(root.certificate.public_bytes(serialization.Encoding.DER))
    result = subprocess.run(["node", "check.mjs"], cwd=folder, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == '{"sequence":5,"a":true,"b":true}'
