"""The device signatures of a sync: the request's manifest, one signature over them all
(:mod:`localgov_mobile.manifest`), or else each one's, checked in a second thread beside the
engine's work (:mod:`localgov_mobile.opening`): nothing is decided before its signature is known,
the reasons and the order of the refusals are those of checking every signature first."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path
from typing import Any

import attrs
import pytest
import sqlalchemy as sa
from localgov_mobile import LocalTransport, SyncRequest, read_answer
from localgov_mobile.manifest import sign_manifest
from localgov_mobile.schema import manifests, submissions
from localgov_mobile.submission import read_submission
from mobile_harness import RENEWAL_FORM, World, take_renewals

from localgov.pki import generate_signing_key
from localgov.tokens import cbor, cose


def test_forged_and_malformed_envelopes_among_genuine_ones(sqlite_world: World, tmp_path: Path) -> None:
    tablet = sqlite_world.tablet(tmp_path / "tablet")
    take_renewals(tablet, 2)
    (_, first), (_, second) = tablet.waiting()
    stranger = generate_signing_key()
    submission = read_submission(cose.parse_sign1(first).payload)
    # Sequence 1 again, for a submission of the stranger's (who has the public certificate only).
    forged = attrs.evolve(submission, form={**RENEWAL_FORM, "activity": "food"}).sign(stranger, tablet.kid)
    # Forged and malformed at once: the signature is the reason, as when it was checked first.
    forged_garbage = cose.sign(cbor.encode({1: "localgov-mobile-submission", 2: 7}), stranger, kid=tablet.kid)
    # Signed by the device, but not a submission this format reads.
    signed_garbage = cose.sign(cbor.encode({1: "localgov-mobile-submission", 2: 7}), tablet._key, kid=tablet.kid)
    not_cose = b"\x01\x02\x03"
    envelopes = (second, forged, signed_garbage, first, forged_garbage, not_cose)
    request = SyncRequest(tablet.sync_request().chain, sqlite_world.clock.at, envelopes)
    answer = read_answer(sqlite_world.server.handle(request.encode()))

    accepted = [(o.sequence, o.repeat) for o in answer.outcomes if o.outcome == "accepted"]
    assert accepted == [(1, False), (2, False)] and answer.next_sequence == 3
    assert len(sqlite_world.engine.summaries()) == 2
    reasons = [r.reason for r in sqlite_world.server.refusals()]
    device = f"device {tablet.device_id}'s"
    assert len(reasons) == 4
    assert reasons[0] == f"the signature is not {device}"  # forged, in the request's order
    assert reasons[1].startswith("malformed: localgov-mobile-submission: format version 7")
    assert reasons[2] == f"the signature is not {device}"  # forged_garbage
    assert reasons[3].startswith("malformed: localgov-mobile-submission: not a COSE_Sign1")
    assert [r.sequence for r in sqlite_world.server.refusals()][:1] == [1]
    # The genuine submissions are on the tablet's side as accepted; nothing is left to send.
    tablet._record(answer)
    assert tablet.waiting_count() == 0


def test_a_sync_failing_half_way_leaves_no_check_running_and_is_sent_again(
    sqlite_world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tablet = sqlite_world.tablet(tmp_path / "tablet")
    take_renewals(tablet, 40)
    engine = sqlite_world.engine
    submit = engine.submit
    calls = []

    def fail_at_the_second(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("the database went away")
        return submit(*args, **kwargs)

    monkeypatch.setattr(engine, "submit", fail_at_the_second)
    with pytest.raises(RuntimeError, match="went away"):
        sqlite_world.server.handle(tablet.sync_request().encode())
    assert not [t for t in threading.enumerate() if t.name.startswith("mobile-signatures")]
    monkeypatch.setattr(engine, "submit", submit)
    report = tablet.sync(LocalTransport(sqlite_world.server))
    # The first was received before the failure: its idempotency key returns the same request.
    assert [o.outcome for o in report.outcomes] == ["accepted"] * 40 and report.waiting == 0
    assert len(engine.summaries()) == 40


def _counting_checks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the signatures the server checks (a manifest's and each submission's)."""
    from localgov_mobile import opening

    checked: list[int] = []
    verify = opening.cose.verify_signature

    def counted(*args: Any, **kwargs: Any) -> None:
        checked.append(1)
        verify(*args, **kwargs)

    monkeypatch.setattr(opening.cose, "verify_signature", counted)
    return checked


def _kept_manifests(world: World) -> list[bytes]:
    with world.server.database.connect() as connection:
        return [bytes(m) for m in connection.execute(sa.select(manifests.c.manifest)).scalars()]


def test_a_manifest_spares_each_submissions_check_and_is_kept(
    sqlite_world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tablet = sqlite_world.tablet(tmp_path / "tablet")
    take_renewals(tablet, 30)
    checked = _counting_checks(monkeypatch)
    request = tablet.sync_request()
    assert request.manifest
    report = tablet.sync(LocalTransport(sqlite_world.server))
    assert [o.outcome for o in report.outcomes] == ["accepted"] * 30
    assert checked == [1]  # the manifest's: one check for the request
    # The manifest kept is the evidence that the device signed the envelopes kept.
    (kept,) = _kept_manifests(sqlite_world)
    with sqlite_world.server.database.connect() as connection:
        query = sa.select(submissions.c.envelope).order_by(submissions.c.sequence)
        envelopes = [bytes(e) for e in connection.execute(query).scalars()]
    claims = cbor.decode(cose.verify(kept, tablet.certificate))
    assert isinstance(claims, dict) and claims[5] == [hashlib.sha256(e).digest() for e in envelopes]


def test_a_manifest_that_is_not_the_devices_over_these_submissions_is_set_aside(
    sqlite_world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tablet = sqlite_world.tablet(tmp_path / "tablet")
    take_renewals(tablet, 3)
    checked = _counting_checks(monkeypatch)
    genuine = tablet.sync_request()
    first = read_submission(cose.parse_sign1(genuine.envelopes[0]).payload)
    forged = attrs.evolve(first, form={**RENEWAL_FORM, "activity": "food"}).sign(generate_signing_key(), tablet.kid)
    # The device's manifest, but over other envelopes than those sent: set aside, each checked.
    swapped = attrs.evolve(genuine, envelopes=(forged, *genuine.envelopes[1:]))
    answer = read_answer(sqlite_world.server.handle(swapped.encode()))
    assert [(o.sequence, o.outcome) for o in answer.outcomes] == [
        (1, "refused"),
        (2, "out_of_order"),
        (3, "out_of_order"),
    ]
    assert len(checked) == 1 + 3 and sqlite_world.engine.summaries() == []
    # A manifest signed by another key over the very envelopes: set aside too, each checked.
    stranger = sign_manifest(
        genuine.envelopes, tablet.device_id, genuine.device_now, generate_signing_key(), tablet.kid
    )
    answer = read_answer(sqlite_world.server.handle(attrs.evolve(genuine, manifest=stranger).encode()))
    assert [o.outcome for o in answer.outcomes] == ["accepted"] * 3 and len(checked) == 4 + 1 + 3
    assert _kept_manifests(sqlite_world) == []
