"""The demo's letter between units: a technical review asks another district's planning
department, and the request's clock stands still until the reply (docs/correspondence.md)."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from localgov.app import Localgov
from localgov.correspondence import Party
from localgov.demo.narration import Scenario
from localgov.organisation import StaffMember
from localgov.pki import issue_unit_signer
from localgov.requests import Request

if TYPE_CHECKING:  # the demo's package imports this module
    from localgov.demo import DemoTrust

__all__ = ["ask_planning_by_letter"]

# Matareya's planning department answers for the parcel's zoning; a person of the demo only.
PLANNER = StaffMember("mt-plan-rasha", "م. رشا عادل", "matareya", {"engineer"}, department="planning")


def ask_planning_by_letter(
    app: Localgov, request: Request, engineer: StaffMember, trust: DemoTrust, scenario: Scenario
) -> Request:
    """Send the letter, record its delivery and reply; the request as the reply leaves it."""
    engine, echo, at = scenario.engine, scenario.echo, scenario.at
    matareya_signer = issue_unit_signer(trust.ca, "C-MTR", ["building_permit"], now=at() - datetime.timedelta(days=30))
    letters = app.correspondence(
        engine=engine, signers={"C-ZTN": trust.signer, "C-MTR": matareya_signer}, chain=trust.chain
    )
    author = StaffMember(engineer.id, engineer.name, engineer.unit, engineer.roles, department="engineering")
    letter = letters.send(
        author,
        Party("C", "matareya", "planning"),
        "استعلام عن الاشتراطات التخطيطية للقطعة",
        f"بالإشارة إلى طلب الترخيص رقم {request.id}، نرجو إفادتنا بالاشتراطات التخطيطية للقطعة.",
        reply_within_days=5,
        request_id=request.id,
        at=at(),
    )
    waiting = engine.get(request.id)
    echo(f"  صادر / outgoing: {letter.id}   وارد / incoming: {letter.incoming_number}")
    echo(
        f"  الرد مطلوب قبل / reply by: {letter.reply_by}   الطلب ينتظر الرد / the request waits: {waiting.letters_awaited}"
    )
    letters.acknowledge(letter.id, PLANNER, at=at())
    reply = letters.reply(letter.id, PLANNER, "القطعة داخل الحيز العمراني، والارتفاع المسموح ١٢ مترًا.", at=at(days=5))
    answered = engine.get(request.id)
    echo(f"  الرد / reply: {reply.id} (وارد {reply.incoming_number})")
    echo(f"  الموعد المتوقع / expected by: {waiting.due_date.isoformat()} → {answered.due_date.isoformat()}")
    return answered
