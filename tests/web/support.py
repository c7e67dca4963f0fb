"""What the web tests share: a Zeitoun engine with requests at telling steps, and the app over it."""

from __future__ import annotations

from functools import cache
from typing import Any

from localgov import Localgov
from localgov.requests import Engine, Request
from localgov.web import WebSettings, create_app
from tests.requests.support import (
    ALL_BUILDING_DOCUMENTS,
    ASSESSOR,
    CHECKER,
    ENGINEER,
    INSPECTOR,
    submit_building_permit,
)

MISSING = "سند الملكية غير مرفق (عقد مسجل أو حكم صحة توقيع)"


def waiting_on_applicant(engine: Engine) -> Request:
    """A building permit sent back for the ownership proof."""
    request = submit_building_permit(engine, documents=[d for d in ALL_BUILDING_DOCUMENTS if d != "ownership_proof"])
    return engine.act(request.id, "request_missing", CHECKER, comment=MISSING)


def awaiting_payment(engine: Engine) -> Request:
    """A building permit with its fees assessed, not paid."""
    request = submit_building_permit(engine)
    for action, actor in [
        ("accept_documents", CHECKER),
        ("complete_review", ENGINEER),
        ("record_inspection", INSPECTOR),
        ("assess_fees", ASSESSOR),
    ]:
        request = engine.act(request.id, action, actor)
    return request


@cache
def with_payments() -> Localgov:
    """Cairo with both payment plugins, as a governorate deploys it."""
    return Localgov(plugins=["cairo", "fawry", "efinance"])


def app_over(engine: Engine, **settings: Any) -> Any:
    return create_app(with_payments(), engine, WebSettings(**settings))
