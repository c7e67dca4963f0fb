"""A letter's life: sent (numbered out and in, signed), acknowledged, forwarded, answered."""

from __future__ import annotations

import datetime
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from localgov.correspondence import (
    AttachmentUpload,
    Correspondence,
    InvalidLetter,
    LetterKeyReused,
    LetterNotAllowed,
    LetterStatus,
    Party,
    UnknownLetter,
    canonical_letter,
    verify_correspondence,
    verify_detached,
)
from localgov.correspondence.errors import InvalidLetterSignature
from localgov.pki import save_certificate
from localgov.testing.pki import TestPki
from tests.correspondence.support import (
    HELIOPOLIS,
    MT_LICENSING,
    MT_REVENUE,
    PLANNER,
    TO_PLANNING,
    WRITER,
    ZT_CLERK,
    at,
    open_correspondence,
)

D = datetime.date


@pytest.fixture
def letters(store_url: str, localgov_pki: TestPki) -> Correspondence:
    return open_correspondence(store_url, localgov_pki)


def test_a_letter_is_numbered_out_and_in_signed_and_registered(letters: Correspondence, localgov_pki: TestPki) -> None:
    first = letters.send(WRITER, TO_PLANNING, "طلب رأي", "نرجو إفادتنا برأيكم في القطعة ١٢", at=at(18))
    second = letters.send(WRITER, TO_PLANNING, "تذكير", "نذكركم بخطابنا السابق", at=at(18, 11))
    assert (first.id, first.incoming_number) == ("C-ZTN/2026/OUT/000001", "C-MTR/2026/IN/000001")
    assert (second.id, second.incoming_number) == ("C-ZTN/2026/OUT/000002", "C-MTR/2026/IN/000002")
    assert first.status is LetterStatus.SENT and first.departments == ("planning",)

    # The signature is the unit's, over the canonical form, and chains to the national root.
    content = letters.history(first.id, WRITER)[0].data["content"]
    assert content["subject"] == "طلب رأي" and content["sent_at"] == at(18).isoformat()
    signer = verify_detached(
        canonical_letter(content), first.signature, unit_code="C-ZTN", root=localgov_pki.root.certificate
    )
    assert signer == localgov_pki.signer.certificate
    with pytest.raises(InvalidLetterSignature, match="digest differs"):
        verify_detached(canonical_letter({**content, "body": "غير ذلك"}), first.signature)

    out = letters.register("C", "zeitoun", "out", 2026)
    incoming = letters.register("C", "matareya", "in", 2026)
    assert [(e.number, letter.id) for e, letter in out] == [(1, first.id), (2, second.id)]
    assert [(e.number, letter.incoming_number) for e, letter in incoming] == [
        (1, first.incoming_number),
        (2, second.incoming_number),
    ]
    assert letters.register("C", "zeitoun", "in", 2026) == []
    assert verify_correspondence(letters.store, b"test key") == {}


def test_acknowledged_forwarded_and_answered_in_the_receiving_unit(letters: Correspondence) -> None:
    letter = letters.send(
        WRITER,
        TO_PLANNING,
        "طلب رأي فني",
        "بشأن الطلب المرفق",
        reply_within_days=3,
        attachments=[AttachmentUpload("كروكي.pdf", b"%PDF-1.4 sketch", "application/pdf")],
        at=at(18),
    )
    # Three working days from Wednesday 18 March 2026, on Egypt's calendar (weekend and Eid off).
    assert letter.reply_by == letters.calendar.add_working_days(D(2026, 3, 18), 3)
    assert letters.calendar.is_working_day(letter.reply_by)

    # The sender may not acknowledge or answer its own letter.
    with pytest.raises(LetterNotAllowed):
        letters.acknowledge(letter.id, WRITER)
    with pytest.raises(LetterNotAllowed):
        letters.reply(letter.id, WRITER, "رد")
    # Licensing, in the receiving unit but not holding it, sees a normal letter but does not answer it.
    assert letters.get(letter.id, MT_LICENSING).id == letter.id
    with pytest.raises(LetterNotAllowed):
        letters.reply(letter.id, MT_LICENSING, "رد")

    acknowledged = letters.acknowledge(letter.id, PLANNER, at=at(18, 12))
    assert (acknowledged.status, acknowledged.acknowledged_by) == (LetterStatus.ACKNOWLEDGED, PLANNER.id)
    assert letters.acknowledge(letter.id, PLANNER).version == acknowledged.version  # once only

    forwarded = letters.forward(letter.id, PLANNER, "licensing", note="للإفادة", at=at(19))
    assert forwarded.departments == ("planning", "licensing")
    with pytest.raises(LetterNotAllowed, match="already held"):
        letters.forward(letter.id, PLANNER, "licensing")
    with pytest.raises(InvalidLetter, match="unknown department"):
        letters.forward(letter.id, PLANNER, "astrology")

    reply = letters.reply(letter.id, MT_LICENSING, "لا مانع من الترخيص", at=at(22))
    assert reply.id == "C-MTR/2026/OUT/000001" and reply.incoming_number == "C-ZTN/2026/IN/000001"
    assert (reply.in_reply_to, reply.recipient, reply.subject) == (letter.id, letter.sender, "رد: طلب رأي فني")
    answered = letters.get(letter.id, WRITER)
    assert (answered.status, answered.replies) == (LetterStatus.ANSWERED, (reply.id,))
    assert [e.action for e in letters.history(letter.id, PLANNER)] == ["send", "acknowledge", "forward", "reply"]
    assert [letter.id for letter in letters.inbox(WRITER)] == [reply.id]
    assert [letter.id for letter in letters.inbox(PLANNER)] == [letter.id]
    assert letters.inbox(PLANNER, awaiting_reply=True) == []

    attached, content = letters.attachment(letter.id, letter.attachments[0].sha256, MT_LICENSING)
    assert (attached.name, content) == ("كروكي.pdf", b"%PDF-1.4 sketch")
    with pytest.raises(UnknownLetter):
        letters.attachment(letter.id, letter.attachments[0].sha256, HELIOPOLIS)
    assert verify_correspondence(letters.store, b"test key") == {}


def test_what_a_letter_is_refused_for(letters: Correspondence) -> None:
    with pytest.raises(InvalidLetter, match="subject"):
        letters.send(WRITER, TO_PLANNING, "  ", "نص")
    with pytest.raises(InvalidLetter, match="unknown local unit"):
        letters.send(WRITER, Party("C", "atlantis", None), "موضوع", "نص")
    with pytest.raises(InvalidLetter, match="unknown department"):
        letters.send(WRITER, Party("C", "matareya", "astrology"), "موضوع", "نص")
    # Friday 20 March 2026 is the weekend; the 17th is before today.
    with pytest.raises(InvalidLetter, match="not a working day"):
        letters.send(WRITER, TO_PLANNING, "موضوع", "نص", reply_by=D(2026, 3, 20), at=at(18))
    with pytest.raises(InvalidLetter, match="not after today"):
        letters.send(WRITER, TO_PLANNING, "موضوع", "نص", reply_by=D(2026, 3, 17), at=at(18))
    with pytest.raises(InvalidLetter, match="reply_within_days"):
        letters.send(WRITER, TO_PLANNING, "موضوع", "نص", reply_within_days=0)
    # A unit without a signing certificate here cannot send.
    with pytest.raises(LetterNotAllowed, match="no signing certificate"):
        letters.send(HELIOPOLIS, TO_PLANNING, "موضوع", "نص")
    # Nothing refused took a number.
    assert letters.send(ZT_CLERK, TO_PLANNING, "موضوع", "نص").id == "C-ZTN/2026/OUT/000001"


def test_a_letter_to_an_outside_body_has_no_incoming_number(letters: Correspondence) -> None:
    letter = letters.send(WRITER, Party(outside="هيئة المساحة المصرية"), "طلب خريطة", "نرجو موافاتنا", at=at(18))
    assert (letter.incoming_number, letter.recipient.outside) == (None, "هيئة المساحة المصرية")
    assert letters.register("C", "zeitoun", "out", 2026)[0][1].id == letter.id
    # Another unit's staff do not see it; the sending unit's do.
    assert letters.get(letter.id, ZT_CLERK).id == letter.id
    with pytest.raises(UnknownLetter):
        letters.get(letter.id, MT_REVENUE)
    assert verify_correspondence(letters.store, b"test key") == {}


def test_overdue_replies(letters: Correspondence) -> None:
    late = letters.send(WRITER, TO_PLANNING, "عاجل", "نرجو الرد", reply_within_days=1, at=at(18))
    answered = letters.send(WRITER, TO_PLANNING, "آخر", "نرجو الرد", reply_within_days=1, at=at(18))
    letters.send(WRITER, TO_PLANNING, "للعلم", "لا يحتاج ردًا", at=at(18))
    letters.reply(answered.id, PLANNER, "تم", at=at(19))
    assert letters.overdue(today=D(2026, 3, 19)) == []
    # Due Thursday 19 March; on Tuesday 24 it is two working days late (Monday 23 and Tuesday 24:
    # Friday and Saturday are the weekend, Sunday 22 is Eid al-Fitr).
    found = letters.overdue(today=D(2026, 3, 24))
    assert [(o.letter.id, o.due, o.overdue_working_days) for o in found] == [(late.id, D(2026, 3, 19), 2)]


def test_hook_letter_overdue(store_url: str, localgov_pki: TestPki) -> None:
    from localgov import Localgov, hookimpl
    from localgov.storage import SqlLetterStore

    told: list[tuple[str, D, int]] = []

    class Escalation:
        @hookimpl
        def letter_overdue(self, letter: Any, due: D, overdue_working_days: int) -> None:
            told.append((letter.id, due, overdue_working_days))

    app = Localgov(plugins=["cairo"], plugin_objects=[Escalation()])
    letters = app.correspondence(
        SqlLetterStore.open(store_url), signers={"C-ZTN": localgov_pki.signer}, audit_key=b"test key"
    )
    late = letters.send(WRITER, TO_PLANNING, "عاجل", "نرجو الرد", reply_within_days=1, at=at(18))
    letters.send(WRITER, TO_PLANNING, "للعلم", "لا يحتاج ردًا", at=at(18))
    assert letters.overdue(today=D(2026, 3, 19)) == [] and told == []
    letters.overdue(today=D(2026, 3, 24))
    assert told == [(late.id, D(2026, 3, 19), 2)]


def test_a_letter_cannot_be_back_dated(letters: Correspondence) -> None:
    letters.send(WRITER, TO_PLANNING, "الأول", "نص", at=at(18, 12))
    with pytest.raises(InvalidLetter, match="cannot be back-dated"):
        letters.send(WRITER, TO_PLANNING, "الثاني", "نص", at=at(18, 11))
    # Nor into the receiver's book: Matareya's incoming book has a line at noon (its own
    # outgoing book has none yet).
    with pytest.raises(InvalidLetter, match="in:C-MTR"):
        letters.send(MT_REVENUE, Party("C", "matareya", "licensing"), "الثالث", "نص", at=at(18, 11))
    assert letters.send(WRITER, TO_PLANNING, "الرابع", "نص", at=at(18, 12)).id.endswith("/000002")
    assert verify_correspondence(letters.store, b"test key") == {}


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is not installed")
def test_openssl_verifies_the_signature(letters: Correspondence, localgov_pki: TestPki, tmp_path: Path) -> None:
    # An independent CMS implementation checks what localgov signed: the bytes, the chain, the signer.
    letter = letters.send(WRITER, TO_PLANNING, "طلب رأي", "نص عربي", at=at(18))
    content = canonical_letter(letters.history(letter.id, WRITER)[0].data["content"])
    (tmp_path / "letter.json").write_bytes(content)
    (tmp_path / "letter.p7s").write_bytes(letter.signature)
    save_certificate(tmp_path / "root.pem", localgov_pki.root.certificate)
    command = ["openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", str(tmp_path / "letter.p7s")]
    command += ["-content", str(tmp_path / "letter.json"), "-CAfile", str(tmp_path / "root.pem"), "-purpose", "any"]
    assert subprocess.run(command, capture_output=True, check=False).returncode == 0
    (tmp_path / "letter.json").write_bytes(content.replace("نص عربي".encode(), "نص آخر".encode()))
    assert subprocess.run(command, capture_output=True, check=False).returncode != 0


def test_a_retried_send_with_its_idempotency_key_sends_once(letters: Correspondence) -> None:
    first = letters.send(WRITER, TO_PLANNING, "طلب رأي", "نص", idempotency_key="k-1", at=at(18))
    again = letters.send(WRITER, TO_PLANNING, "طلب رأي", "نص", idempotency_key="k-1", at=at(19))
    assert again == first
    with pytest.raises(LetterKeyReused):
        letters.send(WRITER, TO_PLANNING, "طلب آخر", "نص", idempotency_key="k-1")
    reply = letters.reply(first.id, PLANNER, "رد", idempotency_key="r-1", at=at(19))
    assert letters.reply(first.id, PLANNER, "رد", idempotency_key="r-1", at=at(22)) == reply
    assert letters.get(first.id, WRITER).replies == (reply.id,)
    # Retried together, from several workers at once: still one letter.
    with ThreadPoolExecutor(4) as pool:
        sent = list(pool.map(lambda _: letters.send(WRITER, TO_PLANNING, "ت", "ن", idempotency_key="k-2"), range(4)))
    assert len({letter.id for letter in sent}) == 1
    assert [entry.number for entry, _ in letters.register("C", "zeitoun", "out", 2026)] == [1, 2]
    assert verify_correspondence(letters.store, b"test key") == {}
