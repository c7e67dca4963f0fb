"""``localgov letters`` end to end on a database file, and ``localgov audit verify`` catching what is
done to the letters behind localgov's back: a letter altered, removed or back-dated."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from localgov.cli import cli
from localgov.pki import Credential, create_root, save_certificate, save_private_key
from localgov.testing.pki import TestPki

STAFF = """
[staff.zt-eng1]
name = "سامي"
unit = "zeitoun"
roles = ["engineer"]
department = "engineering"

[staff.mt-plan1]
name = "نادية"
unit = "matareya"
roles = ["engineer"]
department = "planning"

[staff.mt-lic1]
name = "عمرو"
unit = "matareya"
roles = ["engineer"]
department = "licensing"

[staff.mt-rev1]
name = "فريدة"
unit = "matareya"
roles = ["fee_assessor"]
department = "revenue"
"""


def _credential(directory: Path, credential: Credential) -> Path:
    directory.mkdir()
    save_certificate(directory / "certificate.pem", credential.certificate)
    save_private_key(directory / "private-key.pem", credential.private_key, None)
    return directory


@pytest.fixture
def world(tmp_path: Path, localgov_pki: TestPki) -> Callable[..., Result]:
    staff = tmp_path / "staff.toml"
    staff.write_text(STAFF, "utf-8")
    key = tmp_path / "audit.key"
    key.write_bytes(b"a key kept outside the database\n")
    zeitoun = _credential(tmp_path / "zeitoun-signer", localgov_pki.signer)
    matareya = _credential(tmp_path / "matareya-signer", localgov_pki.issue_signer("C-MTR"))
    chain = tmp_path / "chain.pem"
    save_certificate(chain, localgov_pki.governorate_ca.certificate)
    save_certificate(tmp_path / "root.pem", localgov_pki.root.certificate)
    save_certificate(tmp_path / "other-root.pem", create_root().certificate)
    base = ["--db", f"sqlite:///{tmp_path / 'localgov.db'}", "--staff", str(staff), "--audit-key-file", str(key)]
    signers = {"zeitoun": zeitoun, "matareya": matareya}

    def run(*args: str | Path, signer: str | None = None, code: int = 0) -> Result:
        extra = ["--signer", str(signers[signer]), "--chain", str(chain)] if signer else []
        result = CliRunner().invoke(cli, [*base, *(str(a) for a in args), *extra], catch_exceptions=False)
        assert result.exit_code == code, result.output
        return result

    return run


def _send(run: Callable[..., Result], subject: str = "طلب رأي", *more: str) -> str:
    result = run(
        "letters", "send", "--as", "zt-eng1", "--to-unit", "matareya", "--to-department", "planning",
        "--subject", subject, "--body", "نرجو إفادتنا", *more, signer="zeitoun",
    )  # fmt: skip
    return result.output.split(":")[0]


def test_send_inbox_show_forward_reply_and_the_books(world: Callable[..., Result], tmp_path: Path) -> None:
    run = world
    first = _send(run, "طلب رأي فني", "--reply-within", "5")
    assert first.startswith("C-ZTN/") and first.endswith("/OUT/000001")
    secret = _send(run, "مذكرة سرية", "--confidential")

    inbox = run("letters", "inbox", "--as", "mt-plan1").output
    assert first in inbox and secret in inbox and "[سري]" in inbox
    # Revenue, of the receiving unit but not of the receiving department, sees the normal letter only.
    assert secret not in run("letters", "inbox", "--as", "mt-rev1").output
    refused = run("letters", "show", secret, "--as", "mt-rev1", code=2)
    assert "no letter" in refused.output

    shown = run("letters", "show", first, "--as", "mt-plan1", "--history").output
    assert "delivery acknowledged by mt-plan1" in shown and "طلب رأي فني" in shown and "2. " in shown
    forwarded = run(
        "letters", "forward", first, "--as", "mt-plan1", "--to-department", "licensing", "--note", "للإفادة"
    )
    assert "held by planning, licensing" in forwarded.output
    answer = run("letters", "reply", first, "--as", "mt-lic1", "--body", "لا مانع", signer="matareya").output
    assert "/OUT/000001: reply to " + first in answer
    assert "answered" in run("letters", "show", first, "--as", "zt-eng1").output
    # A reply is signed by the replying unit: Zeitoun's certificate cannot sign for Matareya.
    wrong = run("letters", "reply", secret, "--as", "mt-plan1", "--body", "رد", signer="zeitoun", code=2)
    assert "no signing certificate" in wrong.output

    book = run("letters", "register", "--unit", "zeitoun", "--book", "out").output
    assert first in book and "(سري)" in book and "مذكرة سرية" not in book
    pdf = tmp_path / "out-book.pdf"
    run("letters", "register", "--unit", "zeitoun", "--book", "out", "--pdf", pdf)
    assert pdf.read_bytes().startswith(b"%PDF-")
    Path("/tmp/out-book.pdf").write_bytes(pdf.read_bytes())
    verified = run("audit", "verify").output
    assert "ok: 3 letters and their books verify" in verified
    # With the national root, every letter's signer must chain to it.
    assert "ok: 3 letters" in run("audit", "verify", "--root", tmp_path / "root.pem").output
    elsewhere = run("audit", "verify", "--root", tmp_path / "other-root.pem", code=1).output
    assert elsewhere.count("does not chain to the root") == 3


def _database(tmp_path: Path) -> sqlite3.Connection:
    return sqlite3.connect(tmp_path / "localgov.db")


@pytest.mark.parametrize(
    ("statements", "named"),
    [
        # Altered: the subject of the stored letter.
        (
            ["UPDATE lg_letters SET data = json_set(data, '$.subject', 'موضوع آخر') WHERE id LIKE '%000001'"],
            "its subject was altered",
        ),
        # Altered in the history too: the send event no longer matches its hash, nor the signature.
        (
            [
                "UPDATE lg_letters SET data = json_set(data, '$.body', 'نص آخر') WHERE id LIKE '%000001'",
                "UPDATE lg_letter_events SET data = json_set(data, '$.content.body', 'نص آخر') WHERE letter_id LIKE '%000001'",
            ],
            "was edited: its content does not match its hash",
        ),
        # Removed: the letter, its history and its book lines, all of them.
        (
            [
                "DELETE FROM lg_letters WHERE id LIKE '%000001'",
                "DELETE FROM lg_letter_events WHERE letter_id LIKE '%000001'",
                "DELETE FROM lg_letter_lines WHERE letter_id LIKE '%000001'",
            ],
            "line 1 is missing (a letter removed from the book)",
        ),
        # Removed last, and the counter rewound to hide it: the seal gives it away.
        (
            [
                "DELETE FROM lg_letters WHERE id LIKE '%000002'",
                "DELETE FROM lg_letter_events WHERE letter_id LIKE '%000002'",
                "DELETE FROM lg_letter_lines WHERE letter_id LIKE '%000002'",
                "UPDATE lg_letter_books SET last = 1, head = (SELECT hash FROM lg_letter_lines l WHERE l.book = lg_letter_books.book AND l.number = 1)",
            ],
            "was rewound or edited: its seal does not match",
        ),
        # Back-dated: the second letter moved before the first, everywhere its date is written.
        (
            [
                "UPDATE lg_letters SET sent_at = '2020-01-01T08:00:00+02:00' WHERE id LIKE '%000002'",
                "UPDATE lg_letter_events SET at = '2020-01-01T08:00:00+02:00', data = json_set(data, '$.content.sent_at', '2020-01-01T08:00:00+02:00') WHERE letter_id LIKE '%000002' AND seq = 1",
                "UPDATE lg_letter_lines SET at = '2020-01-01T08:00:00+02:00' WHERE letter_id LIKE '%000002'",
            ],
            "back-dated",
        ),
    ],
    ids=["subject", "body-and-history", "removed", "removed-and-rewound", "back-dated"],
)
def test_audit_verify_names_a_letter_altered_removed_or_back_dated(
    world: Callable[..., Result], tmp_path: Path, statements: list[str], named: str
) -> None:
    run = world
    _send(run, "الأول")
    _send(run, "الثاني")
    assert "ok: 2 letters" in run("audit", "verify").output
    with _database(tmp_path) as database:
        for statement in statements:
            assert database.execute(statement).rowcount >= 1, statement
    result = run("audit", "verify", code=1)
    assert named in result.output
