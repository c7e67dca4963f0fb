"""``localgov demo``'s text messages over SMPP: the outbox through the simulated SMSC, then the
applicant asking for the status by SMS and getting the reply."""

from __future__ import annotations

import time

from localgov.notifications import Dispatcher, InboundHandler
from localgov.requests import Engine
from localgov.requests.model import Request
from localgov.storage import SqlOutbox
from localgov_smpp.notifier import SmppNotifier
from localgov_smpp.simulator import SmscSimulator

SHORT_CODE = "1550"


def exchange_over_smpp(engine: Engine, request: Request) -> list[tuple[str, str, str]]:
    """What went between the applicant's phone and the center, in order: ``(from, to, text)``."""
    phone = request.applicant.mobile.lstrip("+")
    outbox = SqlOutbox(engine.store.engine)  # type: ignore[attr-defined]
    simulator = SmscSimulator().start()
    notifier = SmppNotifier.from_settings(simulator.settings(sender="LocalGov"))
    try:
        notifier.on_inbound(InboundHandler(engine, outbox).answer)
        Dispatcher(outbox, notifier).drain()
        sent = len(simulator.messages_to(phone))
        inquiry = f"{request.id} {request.access_code}"
        simulator.mobile_originated(phone, SHORT_CODE, inquiry)
        deadline = time.monotonic() + 5
        while len(simulator.messages_to(phone)) == sent and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        notifier.close()
        simulator.stop()
    received = simulator.messages_to(phone)
    exchanged = [(m.sender, f"+{m.recipient}", m.text) for m in received[:sent]]
    exchanged.append((f"+{phone}", SHORT_CODE, inquiry))
    exchanged += [(m.sender, f"+{m.recipient}", m.text) for m in received[sent:]]
    return exchanged
