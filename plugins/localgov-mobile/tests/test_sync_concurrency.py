"""Two syncs of the same outbox at once (a retry racing the first attempt): each request once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from localgov_mobile import read_answer
from mobile_harness import World, take_renewals


def test_two_syncs_at_once_receive_each_submission_once(any_world: World, tmp_path: Path) -> None:
    tablet = any_world.tablet(tmp_path / "tablet")
    take_renewals(tablet, 6)
    body = tablet.sync_request().encode()
    with ThreadPoolExecutor(max_workers=2) as pool:
        answers = [read_answer(a) for a in pool.map(any_world.server.handle, [body, body])]
    for answer in answers:
        assert [o.outcome for o in answer.outcomes] == ["accepted"] * 6
        assert answer.next_sequence == 7
    first, second = ({o.sequence: o.request_id for o in a.outcomes} for a in answers)
    assert first == second  # both attempts name the same six requests
    assert sorted(row.id for row in any_world.engine.summaries()) == sorted(first.values())
    assert len(any_world.server.records()) == 6
