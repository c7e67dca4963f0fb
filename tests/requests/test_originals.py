"""Paper originals sent by registered mail from a post office: each movement in the history, two hands, a guard."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import localgov_cairo
import pytest
import tomli_w

from localgov.app import Localgov
from localgov.mail import S10Identifier
from localgov.requests import (
    ActionNotAllowed,
    Engine,
    GuardFailed,
    InvalidSubmission,
    RoleNotAllowed,
    SeparationOfDuties,
)
from localgov.requests.model import Request
from tests.requests.support import APPLICANT, CHECKER, CHECKER2, CLERK, STAFF, member, pdfs
from tests.requests.test_channels import RENEWAL_FORM

POST_CLERK = member("post1", "post_clerk")
ITEM = str(S10Identifier.of("RR", 10_000_001))
OTHER_ITEM = str(S10Identifier.of("RR", 10_000_002))


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Localgov:
    """Cairo, with a post office at Zeitoun and a renewal it takes (Cairo itself has neither)."""
    folder = tmp_path_factory.mktemp("post")
    # Cairo's shop licence renewal, offered at the post office too, under another code.
    source = Path(localgov_cairo.__file__).parent / "data" / "services" / "shops.toml"
    shops = tomllib.loads(source.read_text("utf-8"))["services"]["shop_licence_renewal"]
    shops = {
        **shops,
        "channels": ["front_desk", "post_office"],
        "name": {"ar": "تجديد بالبريد", "en": "Postal renewal"},
    }
    (folder / "catalogue.toml").write_text(tomli_w.dumps({"services": {"postal_renewal": shops}}), "utf-8")
    organisation = {
        "governorate": "C",
        "service_points": {
            "zeitoun_post": {
                "kind": "post_office",
                "unit": "zeitoun",
                "name": {"ar": "مكتب بريد الزيتون", "en": "Zeitoun post office"},
            }
        },
    }
    (folder / "organisation.toml").write_text(tomli_w.dumps(organisation), "utf-8")
    return Localgov(
        plugins=["cairo"], catalogue=[folder / "catalogue.toml"], organisation=[folder / "organisation.toml"]
    )


@pytest.fixture
def engine(app: Localgov) -> Iterator[Engine]:
    yield app.engine("sqlite://", staff=[*STAFF, POST_CLERK])


def at_the_post_office(engine: Engine) -> Request:
    return engine.submit(
        "postal_renewal",
        unit="zeitoun",
        applicant=APPLICANT,
        form=RENEWAL_FORM,
        channel="post_office",
        actor=POST_CLERK,
        service_point="zeitoun_post",
        documents=pdfs("previous_licence", "national_id_copy"),
    )


def test_originals_sent_then_received_are_in_the_history_and_let_the_check_go_on(engine: Engine) -> None:
    request = at_the_post_office(engine)
    assert request.originals_awaited() == ["none sent"]
    with pytest.raises(GuardFailed, match="originals have not reached the district: none sent"):
        engine.act(request.id, "accept_documents", CHECKER)
    sent = engine.record_originals(request.id, item=f" {ITEM.lower()} ", status="sent", actor=POST_CLERK)
    assert sent.originals_awaited() == [ITEM] and sent.state == request.state
    with pytest.raises(GuardFailed, match=ITEM):
        engine.act(request.id, "accept_documents", CHECKER)
    engine.record_originals(request.id, item=ITEM, status="arrived", actor=CHECKER)
    accepted = engine.act(request.id, "accept_documents", CHECKER)
    assert accepted.state == "fee_assessment"
    movements = [
        (e.actor, e.role, e.data["changes"]["originals"]) for e in engine.history(request.id) if e.action == "originals"
    ]
    assert movements == [
        ("post1", "post_clerk", {"item": ITEM, "status": "sent"}),
        ("doc1", "document_checker", {"item": ITEM, "status": "arrived"}),
    ]
    assert engine.verify_history(request.id) == []


def test_a_missing_item_is_recorded_and_may_still_arrive(engine: Engine) -> None:
    request = at_the_post_office(engine)
    engine.record_originals(request.id, item=ITEM, status="sent", actor=POST_CLERK)
    engine.record_originals(request.id, item=OTHER_ITEM, status="sent", actor=POST_CLERK)
    missing = engine.record_originals(request.id, item=ITEM, status="missing", actor=CHECKER)
    assert missing.originals_awaited() == [ITEM, OTHER_ITEM]
    again = engine.record_originals(request.id, item=ITEM, status="missing", actor=CHECKER2)
    assert again.version == missing.version  # recorded already: nothing written
    engine.record_originals(request.id, item=ITEM, status="arrived", actor=CHECKER2)
    assert (
        engine.record_originals(request.id, item=OTHER_ITEM, status="arrived", actor=CHECKER).originals_awaited() == []
    )


@pytest.mark.parametrize(
    ("item", "status", "actor", "error", "says"),
    [
        ("RR123456784EG", "sent", POST_CLERK, InvalidSubmission, "check digit"),
        ("EE123456785EG", "sent", POST_CLERK, InvalidSubmission, "registered mail"),
        (ITEM, "lost", POST_CLERK, InvalidSubmission, "not 'lost'"),
        (ITEM, "arrived", CHECKER, ActionNotAllowed, "before it was sent"),
        (ITEM, "sent", CLERK, RoleNotAllowed, "cannot send originals"),
    ],
)
def test_what_cannot_be_recorded_is_refused_saying_why(
    engine: Engine, item: str, status: str, actor: Any, error: type[Exception], says: str
) -> None:
    request = at_the_post_office(engine)
    with pytest.raises(error, match=says):
        engine.record_originals(request.id, item=item, status=status, actor=actor)
    assert engine.get(request.id).version == request.version


def test_the_sender_does_not_record_the_arrival_and_only_the_district_does(engine: Engine) -> None:
    request = at_the_post_office(engine)
    engine.record_originals(request.id, item=ITEM, status="sent", actor=POST_CLERK)
    sender_checking = member("post1", "post_clerk", "document_checker")
    with pytest.raises(SeparationOfDuties, match="someone else"):
        engine.record_originals(request.id, item=ITEM, status="arrived", actor=sender_checking)
    far_checker = member("doc9", "document_checker", unit="heliopolis")
    with pytest.raises(RoleNotAllowed, match="zeitoun"):
        engine.record_originals(request.id, item=ITEM, status="arrived", actor=far_checker)
    engine.record_originals(request.id, item=ITEM, status="missing", actor=CHECKER)
    with pytest.raises(ActionNotAllowed, match="cannot be recorded sent after it was missing"):
        engine.record_originals(request.id, item=ITEM, status="sent", actor=POST_CLERK)
    engine.record_originals(request.id, item=ITEM, status="arrived", actor=CHECKER)
    with pytest.raises(ActionNotAllowed, match="cannot be recorded missing after it was arrived"):
        engine.record_originals(request.id, item=ITEM, status="missing", actor=CHECKER2)


def test_a_front_desk_request_has_no_originals_in_the_post(engine: Engine) -> None:
    request = engine.submit(
        "postal_renewal",
        unit="zeitoun",
        applicant=APPLICANT,
        form=RENEWAL_FORM,
        channel="front_desk",
        actor=CLERK,
        service_point="zeitoun_tc",
        documents=pdfs("previous_licence", "national_id_copy"),
    )
    with pytest.raises(ActionNotAllowed, match="do not travel by mail"):
        engine.record_originals(request.id, item=ITEM, status="sent", actor=POST_CLERK)
    assert engine.act(request.id, "accept_documents", CHECKER).state == "fee_assessment"  # the guard passes


def test_an_arrival_written_into_the_record_by_hand_is_named(app: Localgov) -> None:
    from tests.requests.test_record_seal import KEY, edit_record

    engine = app.engine("sqlite://", staff=[*STAFF, POST_CLERK], audit_key=KEY)
    request = at_the_post_office(engine)
    engine.record_originals(request.id, item=ITEM, status="sent", actor=POST_CLERK)
    edit_record(engine, request.id, lambda r: r["originals"][0].__setitem__("status", "arrived"))
    assert "the record's originals[0].status is 'arrived' but its history says 'sent'" in engine.verify_history(
        request.id
    )
