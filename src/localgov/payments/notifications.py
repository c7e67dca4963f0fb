"""Receiving a provider's notification: a plain function any web framework can mount.

>>> status, body = handle_notification(engine, providers["fawry"], request_body, request_headers)

Flask: ``return Response(body, status, mimetype="application/json")``; Django: ``HttpResponse(body,
status=status, content_type="application/json")``; :mod:`localgov.payments.web` has a WSGI app.
Every message is recorded in the ledger with its outcome (only a digest of the body is kept).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
from collections.abc import Callable, Mapping
from typing import Any

from localgov.clock import utcnow
from localgov.payments.errors import InvalidNotificationSignature, PaymentError
from localgov.payments.ledger import NotificationRecord, Outcome, PaymentLedger
from localgov.payments.protocol import PaymentProvider
from localgov.payments.settlement import Settlement, settle

__all__ = ["MAX_BODY", "handle_notification"]

log = logging.getLogger("localgov.payments")

# Provider notifications are a few kilobytes; anything far larger is not one.
MAX_BODY = 64 * 1024

# HTTP status per outcome. 200 acknowledges (the provider stops retrying): also for refusals that a
# retry cannot change, which the ledger keeps for reconciliation. 503 asks the provider to retry.
_HTTP = {Outcome.BAD_SIGNATURE: 403, Outcome.MALFORMED: 400, Outcome.RETRY: 503}


def _reply(outcome: str) -> tuple[int, bytes]:
    status = _HTTP.get(outcome, 200)
    accepted = status == 200
    return status, json.dumps({"status": "accepted" if accepted else "refused", "outcome": outcome}).encode()


def _engine_clock(engine: Any) -> Callable[[], datetime.datetime]:
    now = getattr(engine, "now", None)
    return now if callable(now) else utcnow


def handle_notification(
    engine: Any,
    provider: PaymentProvider,
    body: bytes,
    headers: Mapping[str, str],
    *,
    ledger: PaymentLedger | None = None,
    clock: Callable[[], datetime.datetime] | None = None,
) -> tuple[int, bytes]:
    """Verify, parse and act on one notification; return the HTTP status and JSON body to answer with.

    A confirmed payment whose order, currency and amount match and which covers what the request
    owes is recorded with :meth:`Engine.record_payment <localgov.requests.engine.Engine.record_payment>`
    (the engine moves the request on as the system actor). A bad signature (403), a malformed body
    (400), an amount or currency mismatch, an unknown or closed request, and a duplicate or replayed
    message leave the request untouched; each is recorded in the ledger.

    :param engine: the lifecycle engine.
    :param provider: the provider the message claims to come from (the URL it was posted to says which).
    :param ledger: defaults to the ledger in the engine's own database.
    :param clock: defaults to the engine's clock.
    """
    ledger = ledger or PaymentLedger.for_engine(engine)
    at = (clock or _engine_clock(engine))()
    digest = hashlib.sha256(body if isinstance(body, bytes) else b"").hexdigest()

    def record(outcome: str, detail: str, **fields: Any) -> tuple[int, bytes]:
        ledger.add_notification(NotificationRecord(provider.code, at, outcome, detail, digest, **fields))
        log.info("%s notification %s: %s", provider.code, outcome, detail)
        return _reply(outcome)

    if not isinstance(body, bytes) or len(body) > MAX_BODY:
        return record(Outcome.MALFORMED, "not a body of at most 64 KiB")
    try:
        notification = provider.parse_notification(body, headers)
    except InvalidNotificationSignature as error:
        return record(Outcome.BAD_SIGNATURE, str(error))
    except PaymentError as error:
        return record(Outcome.MALFORMED, str(error))

    fields: dict[str, Any] = {
        "key": notification.key,
        "merchant_ref": notification.merchant_ref,
        "provider_ref": notification.provider_ref,
        "status": notification.status.value,
        "amount": notification.paid_amount,
        "currency": notification.currency[:8],
    }
    if ledger.handled(provider.code, notification.key):
        return record(Outcome.DUPLICATE, "the same event was already handled", **fields)
    verdict = settle(
        engine,
        ledger,
        Settlement(
            provider.code,
            notification.merchant_ref,
            notification.provider_ref,
            notification.status,
            notification.amount,
            notification.paid_amount,
            notification.currency,
        ),
        at,
    )
    return record(verdict.outcome, verdict.detail, request_id=verdict.request_id, **fields)
