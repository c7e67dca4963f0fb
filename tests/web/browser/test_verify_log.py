"""The verification page asks the public permit log about a valid permit and checks the answer itself.

The server is a real one over a real permit log: the page recomputes the permit's entry from the
token, asks for the proof by its leaf hash, and verifies the proof (RFC 9162) and the checkpoint's
Ed25519 signature in WebCrypto. A log that lies (a checkpoint signed by another key, a leaf's
sibling edited in the database) is reported as such, never as "in the log".
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from localgov.permits import log_entry
from localgov.storage import SqlPermitLog
from localgov.testing.web import serve
from localgov.transparency import Ed25519Signer
from tests.web.browser.conftest import verifier_app
from tests.web.browser.test_verify_page import open_page, upload
from tests.web.browser.world import World

ORIGIN = "log.test.localgov/permits"
OTHERS = 40  # permits logged before the one under test: its proof has several hashes


class LoggedWorld:
    """A permit log with one valid permit (``token``) at index OTHERS, its key, and a server over them."""

    def __init__(self, world: World, directory: Path, *, signer: Ed25519Signer | None = None) -> None:
        self.database = f"sqlite:///{directory / 'log.db'}"
        self.log = SqlPermitLog.open(self.database, origin=ORIGIN)
        self.key = Ed25519Signer.generate(ORIGIN)
        (directory / "log.pub").write_text(self.key.verifier.vkey + "\n")
        others = [log_entry(world.token(permit_number=f"2025/{n:06d}")).encode() for n in range(OTHERS)]
        self.log.append_many(others)
        self.token = world.valid  # a new signature each time it is read: this one is the one logged
        self.index = self.log.append(log_entry(self.token).encode())
        self.log.sign_checkpoint([signer or self.key])
        self.app = verifier_app(world, self.log, log_public_key=directory / "log.pub")


@pytest.fixture
def logged(world: World, tmp_path: Path) -> Iterator[LoggedWorld]:
    made = LoggedWorld(world, tmp_path)
    yield made
    made.log.close()


def log_line(page: Any) -> dict[str, str]:
    page.wait_for_selector("#log-status:not([hidden]):not([data-log=checking])")
    shown: dict[str, str] = page.evaluate(
        """() => ({
            status: document.getElementById('log-status').dataset.log,
            ar: document.getElementById('log-status-ar').textContent,
            en: document.getElementById('log-status-en').textContent,
        })"""
    )
    return shown


def test_a_logged_permit_is_shown_at_its_index(page: Any, world: World, logged: LoggedWorld, screenshots: Path) -> None:
    with serve(logged.app) as url:
        open_page(page, url + "/verify")
        assert upload(page, logged.token)["code"] == "valid"
        shown = log_line(page)
        page.evaluate("() => document.fonts.ready")
        assert page.evaluate("() => document.scrollingElement.scrollWidth - window.innerWidth") <= 0
        page.screenshot(path=str(screenshots / "verify-page-in-log.png"), full_page=True)
    assert shown["status"] == "included"
    assert shown["en"] == f"In the public permit log at index {OTHERS} (of {OTHERS + 1})"
    assert "عند الموضع ٤٠ (من ٤١)" in shown["ar"]
    assert page.problems == []


def test_a_valid_permit_missing_from_the_log_is_flagged(page: Any, world: World, logged: LoggedWorld) -> None:
    with serve(logged.app) as url:
        open_page(page, url + "/verify")
        assert upload(page, world.token(permit_number="2025/777777"))["code"] == "valid"
        assert log_line(page)["status"] == "absent"
        # Appended after the latest signed checkpoint: not absent, pending.
        pending = world.token(permit_number="2025/888889")
        logged.log.append(log_entry(pending).encode())
        assert upload(page, pending)["code"] == "valid"
        assert log_line(page)["status"] == "pending"


def test_a_checkpoint_signed_by_another_key_is_not_believed(page: Any, world: World, tmp_path: Path) -> None:
    lying = LoggedWorld(world, tmp_path, signer=Ed25519Signer.generate(ORIGIN))
    with serve(lying.app) as url:
        open_page(page, url + "/verify")
        assert upload(page, lying.token)["code"] == "valid"  # the permit's own signature still holds
        shown = log_line(page)
    lying.log.close()
    assert shown["status"] == "invalid" and "does not verify" in shown["en"]


def test_a_sibling_edited_in_the_database_breaks_the_proof(page: Any, world: World, logged: LoggedWorld) -> None:
    with sa.create_engine(logged.database).begin() as connection:
        connection.execute(
            # Leaf 40 of 41 is proved by the subtrees [32, 40) and [0, 32): the insider rewrites the
            # second (level 5, index 0), as one would to make room for a forged leaf.
            sa.text("UPDATE lg_log_nodes SET hash = :forged WHERE level = 5 AND idx = 0"),
            {"forged": b"\x07" * 32},
        )
    with serve(logged.app) as url:
        open_page(page, url + "/verify")
        assert upload(page, logged.token)["code"] == "valid"
        assert log_line(page)["status"] == "invalid"


def test_offline_the_permit_verifies_and_the_log_is_unreachable(
    context: Any, world: World, logged: LoggedWorld
) -> None:
    page = context.new_page()
    with serve(logged.app) as url:
        open_page(page, url + "/verify")
        page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=15000)
    context.set_offline(True)
    page.reload()
    page.wait_for_selector("body[data-lists=ready]")
    assert upload(page, logged.token)["code"] == "valid"
    assert log_line(page)["status"] == "unreachable"


def test_an_unreadable_log_key_is_said_not_skipped(
    page: Any, world: World, logged: LoggedWorld, tmp_path: Path
) -> None:
    (tmp_path / "log.pub").write_text(logged.key.verifier.vkey.replace("+", "-", 1) + "\n")
    with serve(logged.app) as url:
        open_page(page, url + "/verify")
        assert upload(page, logged.token)["code"] == "valid"
        shown = log_line(page)
    assert shown["status"] == "no_key" and "not checked" in shown["en"]


_KEY_IN_PAGE = """async (vkey) => {
    const log = await import('/verify/static/log.js');
    try { return (await log.parseLogKey(vkey)).name; } catch (error) { return `refused: ${error.message}`; }
}"""


def test_log_keys_read_as_python_reads_them(page: Any, base_url: str) -> None:
    open_page(page, base_url + "/verify")
    keys = [Ed25519Signer.from_seed(ORIGIN, bytes([n]) * 32).verifier.vkey for n in range(12)]
    assert any(key.split("+", 2)[2].count("+") for key in keys)  # some base64 parts hold a "+"
    for key in keys:
        assert page.evaluate(_KEY_IN_PAGE, key) == ORIGIN, key
    name, key_id, blob = keys[0].split("+", 2)
    for broken in [f"{name}+{key_id}", f"{name}+00000000+{blob}", f"{name}+{key_id}+{blob[:-4]}", f"x{keys[0]}"]:
        assert page.evaluate(_KEY_IN_PAGE, broken).startswith("refused"), broken


_ENTRY_IN_PAGE = """async ([token, claims]) => {
    const log = await import('/verify/static/log.js');
    const bytes = await log.permitEntry(token, claims);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}"""


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    number=st.from_regex(r"[0-9]{4}/[0-9]{6}", fullmatch=True),
    age=st.integers(min_value=0, max_value=86_400),
)
def test_the_page_writes_the_entry_python_logs(page: Any, base_url: str, world: World, number: str, age: int) -> None:
    seconds = int(world.now.timestamp()) - age
    issued = datetime.datetime.fromtimestamp(seconds, datetime.UTC)
    token = world.token(permit_number=number, issued_at=issued, expires_at=None)
    if page.url == "about:blank":
        open_page(page, base_url + "/verify")
    claims = {"issuer": world.claims().issuer, "permitNumber": number, "kind": world.claims().kind, "issuedAt": seconds}
    assert bytes.fromhex(page.evaluate(_ENTRY_IN_PAGE, [token, claims])) == log_entry(token).encode()
