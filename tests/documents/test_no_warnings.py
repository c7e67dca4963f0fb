"""``localgov verify permit.pdf`` prints localgov's verdict and no library warnings.

cryptography deprecates DSA, and pyHanko imports a DSA name at import time, which printed a
CryptographyDeprecationWarning before every verdict. The command runs in a fresh interpreter
here: inside pytest pyHanko is long imported, and pytest's own filters decide what shows.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from localgov.testing.pki import TestPki


def test_verify_prints_no_dsa_warning(permit_pdf: Path, pki: TestPki, tmp_path: Path) -> None:
    trust = tmp_path / "trust-list.cose"
    trust.write_bytes(pki.signed_trust_list())
    root = pki.directory / "root.pem"
    # localgov.cli has no __main__ module: call main() as the console script does (see tests/cli).
    command = [
        sys.executable,
        "-W",
        "default",
        "-c",
        "from localgov.cli import main; main()",
        "verify",
        str(permit_pdf),
        "--trust",
        str(trust),
        "--root",
        str(root),
    ]
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONWARNINGS"}
    done = subprocess.run(command, capture_output=True, text=True, env=environment, check=False)
    # A verdict of "valid" proves pyHanko was imported and the signature checked.
    assert done.returncode == 0, done.stdout + done.stderr
    assert "valid document" in done.stdout
    assert "CryptographyDeprecationWarning" not in done.stderr, done.stderr
    assert "DSA" not in done.stderr, done.stderr
