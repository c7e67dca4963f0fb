"""Fault injection on the sync: nothing lost, nothing received twice, each case with a clear outcome."""

from __future__ import annotations

import datetime
from pathlib import Path

import attrs
import pytest
from cryptography.hazmat.primitives import serialization
from localgov_mobile import LocalTransport, SyncError, SyncRequest, Tablet, read_answer
from localgov_mobile.server import SyncServer
from localgov_mobile.submission import read_submission
from mobile_harness import (
    APPLICANT,
    MOBILE_CLERK,
    RENEWAL_FORM,
    SERVICE_POINT,
    Clock,
    World,
    take_renewals,
    world,
)

from localgov.pki import generate_signing_key
from localgov.requests import Engine
from localgov.tokens import RevocationList, cose

OCCUPANCY_FORM = {
    "licence_number": "ZTN/OC/2021/044",
    "occupancy_purpose": "goods_display",
    "road_class": "class_2",
    "occupied_area": "6",
    "occupancy_address": "أمام ٣ شارع طومان باي، الزيتون",
}


def requests_in(engine: Engine) -> list[str]:
    return sorted(row.id for row in engine.summaries())


class Dropped:
    """A connection that fails before the server sees the request, or after it answered."""

    def __init__(self, server: SyncServer, when: str) -> None:
        self.server, self.when = server, when

    def exchange(self, body: bytes) -> bytes:
        if self.when == "before":
            raise ConnectionResetError("connection reset before the request was sent")
        self.server.handle(body)
        raise ConnectionResetError("connection reset before the answer arrived")


@pytest.mark.parametrize("when", ["before", "after"])
def test_a_dropped_connection_loses_nothing_and_receives_nothing_twice(
    sqlite_world: World, tmp_path: Path, when: str
) -> None:
    tablet = sqlite_world.tablet(tmp_path / "tablet")
    take_renewals(tablet, 3)
    with pytest.raises(SyncError, match="did not complete"):
        tablet.sync(Dropped(sqlite_world.server, when))
    assert len(tablet.waiting()) == 3  # the tablet changed nothing
    assert len(requests_in(sqlite_world.engine)) == (0 if when == "before" else 3)
    report = tablet.sync(LocalTransport(sqlite_world.server))
    assert [o.outcome for o in report.outcomes] == ["accepted"] * 3
    assert [o.repeat for o in report.outcomes] == [when == "after"] * 3
    assert report.waiting == 0
    assert requests_in(sqlite_world.engine) == sorted(o.request_id for o in report.outcomes)


def test_dropped_while_the_server_commits(sqlite_world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The engine received the requests, the sync's own transaction died: the retry finds them."""
    tablet = sqlite_world.tablet(tmp_path / "tablet")
    take_renewals(tablet, 2)
    original = SyncServer._refuse

    def die(*args: object, **kwargs: object) -> None:
        raise ConnectionResetError("the server lost its connection mid-commit")

    monkeypatch.setattr(SyncServer, "_refuse", die)
    with pytest.raises(SyncError):
        tablet.sync(LocalTransport(sqlite_world.server))
    received = requests_in(sqlite_world.engine)
    assert len(received) == 2 and sqlite_world.server.records() == []
    monkeypatch.setattr(SyncServer, "_refuse", original)
    report = tablet.sync(LocalTransport(sqlite_world.server))
    assert [o.outcome for o in report.outcomes] == ["accepted", "accepted"]
    assert sorted(o.request_id for o in report.outcomes) == received  # the same requests, not new ones
    assert requests_in(sqlite_world.engine) == received


def test_the_same_outbox_sent_twice(sqlite_world: World, tmp_path: Path) -> None:
    tablet = sqlite_world.tablet(tmp_path / "tablet")
    take_renewals(tablet, 2)
    body = tablet.sync_request().encode()
    first = read_answer(sqlite_world.server.handle(body))
    second = read_answer(sqlite_world.server.handle(body))
    assert [(o.outcome, o.repeat) for o in first.outcomes] == [("accepted", False)] * 2
    assert [(o.outcome, o.repeat) for o in second.outcomes] == [("accepted", True)] * 2
    assert [o.request_id for o in first.outcomes] == [o.request_id for o in second.outcomes]
    assert len(requests_in(sqlite_world.engine)) == 2 and len(sqlite_world.server.records()) == 2


def test_submissions_out_of_order(sqlite_world: World, tmp_path: Path) -> None:
    tablet = sqlite_world.tablet(tmp_path / "tablet")
    take_renewals(tablet, 3)
    envelopes = dict(tablet.waiting())
    request = tablet.sync_request()
    # 3 and 1 arrive, 2 is missing: 1 is received, 3 waits for 2.
    answer = read_answer(
        sqlite_world.server.handle(attrs.evolve(request, envelopes=(envelopes[3], envelopes[1])).encode())
    )
    assert [(o.sequence, o.outcome) for o in answer.outcomes] == [(1, "accepted"), (3, "out_of_order")]
    assert answer.next_sequence == 2
    # All three, backwards: each taken in sequence order, 1 as a repeat.
    answer = read_answer(
        sqlite_world.server.handle(attrs.evolve(request, envelopes=tuple(reversed(envelopes.values()))).encode())
    )
    assert [(o.sequence, o.outcome, o.repeat) for o in answer.outcomes] == [
        (1, "accepted", True),
        (2, "accepted", False),
        (3, "accepted", False),
    ]
    ids = [o.request_id for o in answer.outcomes]
    assert ids == sorted(ids)  # tracking numbers drawn in the order the clerk took them
    assert len(requests_in(sqlite_world.engine)) == 3


def test_a_tablet_clock_hours_off(tmp_path: Path) -> None:
    server_clock = Clock()
    made = world(f"sqlite:///{tmp_path / 'server.sqlite3'}", server_clock)
    tablet = made.tablet(tmp_path / "tablet", clock=Clock(server_clock.at + datetime.timedelta(hours=5)))
    take_renewals(tablet)
    report = tablet.sync(LocalTransport(made.server))
    assert report.clock_skew == 5 * 3600
    assert report.outcomes[0].outcome == "accepted"
    request = made.engine.get(report.outcomes[0].request_id or "")
    assert request.submitted_at == server_clock.at  # received when the server received it
    (record,) = made.server.records()
    assert record.clock_skew == 5 * 3600 and record.taken_at.startswith("2026-12-07T13:30")  # as the tablet said
    made.engine.store.close()  # type: ignore[attr-defined]


def test_a_bundle_older_than_the_catalogue(sqlite_world: World, tmp_path: Path) -> None:
    """The mobile district stops taking shop renewals while a tablet is out: kept, with the reason."""
    tablet = sqlite_world.tablet(tmp_path / "tablet")
    take_renewals(tablet)
    tablet.take(
        "occupancy_licence_renewal",
        applicant=APPLICANT,
        form=OCCUPANCY_FORM,
        clerk=MOBILE_CLERK.id,
        service_point=SERVICE_POINT,
        photos=[],
    )
    engine = sqlite_world.engine
    catalogue = engine.catalogue
    narrowed = attrs.evolve(catalogue.channels["mobile_unit"], services=("occupancy_licence_renewal",))
    changed = attrs.evolve(catalogue, channels={**catalogue.channels, "mobile_unit": narrowed})
    later = Engine(
        catalogue=changed,
        organisation=engine.organisation,
        store=engine.store,
        calendar=engine.calendar,
        staff=engine.staff.values(),
        clock=engine.now,
    )
    server = SyncServer(later, root=sqlite_world.server.root, bundle_signers=sqlite_world.server._signers)
    report = tablet.sync(LocalTransport(server))
    shop, occupancy = report.outcomes
    assert occupancy.outcome == "accepted"
    assert shop.outcome == "rejected"
    assert "does not take shop_licence_renewal" in (shop.reason or "")
    assert "older than the catalogue in force, bundle 2" in (shop.reason or "")
    assert not report.bundle_is_current and report.waiting == 0
    kept = {r.sequence: r for r in server.records()}
    assert kept[1].outcome == "rejected" and kept[1].stale_bundle and kept[1].reason == shop.reason
    assert [e.status for e in tablet.outbox()] == ["rejected", "accepted"]
    # The new bundle no longer offers the service: the tablet now refuses it at the visit.
    tablet.install_bundle(server.signed_bundle("zeitoun"))
    assert tablet.bundle.services == ("occupancy_licence_renewal",)


def test_a_revoked_device_is_refused_from_the_moment_of_revocation(sqlite_world: World, tmp_path: Path) -> None:
    tablet = sqlite_world.tablet(tmp_path / "tablet")
    take_renewals(tablet, 2)
    moment = sqlite_world.clock.at + datetime.timedelta(hours=1)
    sqlite_world.revocations = RevocationList().apply(RevocationList().delta({}, revoke_devices={tablet.kid: moment}))
    # Before the moment: still received.
    first = tablet.sync(LocalTransport(sqlite_world.server), limit=1)
    assert [o.outcome for o in first.outcomes] == ["accepted"]
    sqlite_world.clock.at = moment
    report = tablet.sync(LocalTransport(sqlite_world.server))
    assert [(o.sequence, o.outcome) for o in report.outcomes] == [(2, "refused")]
    assert "revoked at 2026-12-07T09:30:00+00:00" in (report.outcomes[0].reason or "")
    assert len(requests_in(sqlite_world.engine)) == 1
    (refusal,) = sqlite_world.server.refusals()
    assert refusal.device_id == tablet.device_id and refusal.sequence == 2 and "revoked" in refusal.reason
    assert [e.status for e in tablet.outbox()] == ["accepted", "refused"]  # still on the tablet


def test_a_forged_device_signature_is_refused(sqlite_world: World, tmp_path: Path) -> None:
    tablet = sqlite_world.tablet(tmp_path / "tablet")
    take_renewals(tablet)
    ((_, envelope),) = tablet.waiting()
    submission = read_submission(cose.parse_sign1(envelope).payload)
    # Someone with the tablet's certificate (public) but not its key signs a submission of their own.
    forged = attrs.evolve(submission, form={**RENEWAL_FORM, "activity": "food"}).sign(
        generate_signing_key(), tablet.kid
    )
    # And a genuine envelope with one byte of its payload changed.
    tampered = bytearray(envelope)
    tampered[len(tampered) // 2] ^= 0x01
    for bad in (forged, bytes(tampered)):
        request = SyncRequest(tablet.sync_request().chain, sqlite_world.clock.at, (bad,))
        (outcome,) = read_answer(sqlite_world.server.handle(request.encode())).outcomes
        assert outcome.outcome == "refused"
    assert requests_in(sqlite_world.engine) == []
    refusals = sqlite_world.server.refusals()
    assert len(refusals) == 2 and "signature is not device ZTN-TAB-01's" in refusals[0].reason
    # The genuine one still goes through: a refusal does not use up its sequence.
    assert [o.outcome for o in tablet.sync(LocalTransport(sqlite_world.server)).outcomes] == ["accepted"]


def test_a_certificate_not_under_the_root_is_refused_and_recorded(sqlite_world: World, tmp_path: Path) -> None:
    from localgov.pki import create_root, issue_device_certificate, issue_governorate_ca

    stranger_root = create_root("Not the root", now=sqlite_world.clock.at - datetime.timedelta(days=2))
    stranger_ca = issue_governorate_ca(stranger_root, "C", now=sqlite_world.clock.at - datetime.timedelta(days=2))
    key = generate_signing_key()
    certificate = issue_device_certificate(
        stranger_ca, "C-ZTN", "ZTN-TAB-01", key.public_key(), now=sqlite_world.clock.at - datetime.timedelta(days=1)
    )
    chain = tuple(c.public_bytes(serialization.Encoding.DER) for c in (certificate, stranger_ca.certificate))
    tablet = sqlite_world.tablet(tmp_path / "tablet")
    take_renewals(tablet)
    request = SyncRequest(chain, sqlite_world.clock.at, tuple(e for _, e in tablet.waiting()))
    (outcome,) = read_answer(sqlite_world.server.handle(request.encode())).outcomes
    assert outcome.outcome == "refused" and "not valid" in (outcome.reason or "")
    assert len(sqlite_world.server.refusals()) == 1 and requests_in(sqlite_world.engine) == []


def test_a_reinstalled_tablet_reusing_a_sequence_is_refused(sqlite_world: World, tmp_path: Path) -> None:
    """The outbox file was lost but the key kept: sequence 1 again, for another submission."""
    import shutil

    from mobile_harness import pki

    tablet = sqlite_world.tablet(tmp_path / "tablet")
    take_renewals(tablet)
    assert [o.outcome for o in tablet.sync(LocalTransport(sqlite_world.server)).outcomes] == ["accepted"]
    tablet.close()
    fresh = tmp_path / "reinstalled"
    fresh.mkdir()
    for name in ("device.key", "device-chain.pem"):
        shutil.copy2(tmp_path / "tablet" / name, fresh / name)
    again = Tablet.open(fresh, root=pki().root.certificate, clock=sqlite_world.clock)
    again.install_bundle(sqlite_world.server.signed_bundle("zeitoun"))
    take_renewals(again)
    (outcome,) = again.sync(LocalTransport(sqlite_world.server)).outcomes
    assert outcome.outcome == "refused" and "sequence 1 was already used for another submission" in (
        outcome.reason or ""
    )
    assert len(requests_in(sqlite_world.engine)) == 1
    assert "already used" in sqlite_world.server.refusals()[-1].reason
