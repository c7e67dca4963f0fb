"""How the demos tell their story: each step in Arabic then English, each request's state after
it, and the scenario's clock, a few hours after the last step unless days pass."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import attrs

from localgov.i18n import LocalizedText
from localgov.organisation import StaffMember
from localgov.requests import Engine
from localgov.requests.model import Request

__all__ = ["Scenario"]


@attrs.define
class Scenario:
    """The demo's narration over ``engine``; ``moments`` is the clock the engine was given."""

    engine: Engine
    echo: Callable[[str], None]
    moments: list[datetime.datetime]

    def step(self, text: LocalizedText) -> None:
        self.echo("")
        self.echo(f"■ {text.ar}")
        self.echo(f"  {text.en}")

    def show(self, request: Request) -> None:
        state = self.engine.workflow_of(request).definition.state(request.state)
        assert state is not None
        holder = f"  [{request.assigned_to}]" if request.assigned_to else ""
        self.echo(f"  → {state.name.ar} / {state.name.en}{holder}")

    def at(self, days: int = 0) -> datetime.datetime:
        """The next moment of the scenario: a few hours after the last step, or ``days`` later."""
        self.moments.append(self.moments[-1] + datetime.timedelta(days=days, hours=0 if days else 3))
        return self.moments[-1]

    def decide(self, request: Request, action: str, actor: StaffMember, text: LocalizedText) -> Request:
        """Announce ``text``, take ``action`` as ``actor`` at the next moment, show where it leaves the request."""
        self.step(text)
        request = self.engine.act(request.id, action, actor, at=self.at())
        self.show(request)
        return request

    def show_invoice(self, request: Request) -> None:
        assert request.invoice is not None
        for line in request.invoice.lines:
            self.echo(f"  {line.name.ar} / {line.name.en}: {line.amount} EGP  [{line.revenue_item}]")
        self.echo(f"  الإجمالي / total: {request.invoice.total} EGP")
