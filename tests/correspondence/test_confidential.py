"""A confidential letter is seen by the sending department and the departments holding it, no one else."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from localgov.correspondence import Classification, Correspondence, UnknownLetter, may_see
from localgov.organisation import StaffMember
from localgov.testing.pki import TestPki
from tests.correspondence.support import (
    HELIOPOLIS,
    MT_LICENSING,
    MT_REVENUE,
    PLANNER,
    TO_PLANNING,
    WRITER,
    WRITER2,
    ZT_CLERK,
    at,
    open_correspondence,
)

CONFIDENTIAL = Classification.CONFIDENTIAL


@pytest.fixture
def letters(store_url: str, localgov_pki: TestPki) -> Correspondence:
    return open_correspondence(store_url, localgov_pki)


def test_a_confidential_letter_is_not_visible_outside_the_receiving_department(letters: Correspondence) -> None:
    secret = letters.send(WRITER, TO_PLANNING, "تحقيق إداري", "سري للغاية", classification=CONFIDENTIAL, at=at(18))
    normal = letters.send(WRITER, TO_PLANNING, "طلب رأي", "عادي", at=at(18))

    # The receiving department and the sending one see it.
    for member in (PLANNER, WRITER, WRITER2):
        assert letters.get(secret.id, member).subject == "تحقيق إداري"
    # Other roles of the receiving unit, of the sending unit's office, and of other units do not:
    # not in their inbox, not by number, not its history or attachments, as if it did not exist.
    for member in (MT_LICENSING, MT_REVENUE, ZT_CLERK, HELIOPOLIS):
        with pytest.raises(UnknownLetter):
            letters.get(secret.id, member)
        with pytest.raises(UnknownLetter):
            letters.history(secret.id, member)
        assert secret.id not in [letter.id for letter in letters.inbox(member)]
        assert secret.id not in [letter.id for letter in letters.sent(member)]
    assert [letter.id for letter in letters.inbox(MT_REVENUE)] == [normal.id]
    # Nor may they act on it: acknowledging, forwarding or answering it is refused as unknown.
    with pytest.raises(UnknownLetter):
        letters.acknowledge(secret.id, MT_LICENSING)
    with pytest.raises(UnknownLetter):
        letters.forward(secret.id, MT_REVENUE, "licensing")
    with pytest.raises(UnknownLetter):
        letters.reply(secret.id, MT_LICENSING, "رد")

    # Forwarded by planning to licensing, licensing holds it too; revenue still does not see it.
    letters.forward(secret.id, PLANNER, "licensing", at=at(19))
    assert letters.get(secret.id, MT_LICENSING).departments == ("planning", "licensing")
    with pytest.raises(UnknownLetter):
        letters.get(secret.id, MT_REVENUE)
    # Its reply is confidential as well, and reaches the sending department only.
    reply = letters.reply(secret.id, MT_LICENSING, "الإفادة", at=at(22))
    assert reply.classification is CONFIDENTIAL
    assert letters.get(reply.id, WRITER2).in_reply_to == secret.id
    with pytest.raises(UnknownLetter):
        letters.get(reply.id, ZT_CLERK)


UNITS = st.sampled_from(["zeitoun", "matareya", "heliopolis"])
DEPARTMENTS = st.sampled_from([None, "engineering", "planning", "licensing", "revenue"])


@settings(max_examples=300, deadline=None)
@given(unit=UNITS, department=DEPARTMENTS, forwarded=st.lists(DEPARTMENTS, max_size=2, unique=True))
def test_who_sees_a_confidential_letter(unit: str, department: str | None, forwarded: list[str | None]) -> None:
    import datetime

    from localgov.correspondence import Letter, Party

    letter = Letter(
        id="C-ZTN/2026/OUT/000001",
        sender=Party("C", "zeitoun", "engineering"),
        author="zt-eng1",
        recipient=Party("C", "matareya", "planning"),
        subject="س",
        body="ن",
        classification=CONFIDENTIAL,
        sent_at=datetime.datetime(2026, 3, 18, tzinfo=datetime.UTC),
        signature=b"",
        departments=("planning", *(d for d in forwarded if d != "planning")),
    )
    member = StaffMember("someone", "أحد", unit, {"engineer"}, department=department)
    expected = (unit == "zeitoun" and department == "engineering") or (
        unit == "matareya" and department in letter.departments
    )
    assert may_see(letter, member) is expected
