"""Workflow guards: conditions an action may require before it runs, and the ones localgov provides.

A guard is a function of a :class:`GuardSubject`; it returns ``None`` when the action may go ahead,
or the bilingual reason it may not. Plugins add guards through the ``register_guards`` hook.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Protocol

from localgov.i18n import LocalizedText

__all__ = [
    "BUILTIN_GUARDS",
    "Guard",
    "GuardSubject",
    "fees_paid",
    "mandatory_documents_present",
    "originals_received",
]


class GuardSubject(Protocol):
    """What a guard may ask of a request."""

    def missing_documents(self) -> Sequence[str]: ...

    def balance_due(self) -> Decimal: ...

    def originals_awaited(self) -> Sequence[str]:
        """The registered items of paper originals not yet arrived at the district (none: nothing awaited)."""
        ...


Guard = Callable[[GuardSubject], LocalizedText | None]
"""A condition an action may require: ``None`` when it holds, else the reason it does not."""


def mandatory_documents_present(request: GuardSubject) -> LocalizedText | None:
    missing = request.missing_documents()
    if not missing:
        return None
    listed = ", ".join(missing)
    return LocalizedText(ar=f"مستندات مطلوبة لم تُقدَّم: {listed}", en=f"required documents not supplied: {listed}")


def fees_paid(request: GuardSubject) -> LocalizedText | None:
    due = request.balance_due()
    if due <= 0:
        return None
    return LocalizedText(
        ar=f"لم تُسدَّد الرسوم بالكامل: المتبقي {due} جنيه", en=f"fees not fully paid: EGP {due} outstanding"
    )


def originals_received(request: GuardSubject) -> LocalizedText | None:
    """Where the channel sends originals by registered mail: they have arrived at the district."""
    awaited = request.originals_awaited()
    if not awaited:
        return None
    listed = ", ".join(awaited)
    return LocalizedText(
        ar=f"أصول المستندات لم تصل إلى الحي بعد: {listed}",
        en=f"the paper originals have not reached the district: {listed}",
    )


BUILTIN_GUARDS: dict[str, Guard] = {
    "mandatory_documents_present": mandatory_documents_present,
    "fees_paid": fees_paid,
    "originals_received": originals_received,
}
