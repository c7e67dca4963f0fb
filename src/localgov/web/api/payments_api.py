"""Starting a payment for what a request owes, with one of the deployment's payment providers."""

from __future__ import annotations

from litestar.exceptions import ServiceUnavailableException

from localgov.payments import CreatedPayment, PaymentMethod, Payments, ProviderUnavailable
from localgov.web.api.wire import PaymentIn
from localgov.web.context import WebContext
from localgov.web.problems import InvalidInput

__all__ = ["start_payment"]


def start_payment(context: WebContext, number: str, order: PaymentIn) -> CreatedPayment:
    """A payment of the request's balance with ``order.provider``; the provider and method named when unusable."""
    providers = context.localgov.payment_providers
    if order.provider not in providers:
        raise InvalidInput({"provider": f"not a provider here (providers: {', '.join(sorted(providers)) or 'none'})"})
    try:
        method = PaymentMethod(order.method)
    except ValueError:
        raise InvalidInput({"method": f"one of {', '.join(m.value for m in PaymentMethod)}"}) from None
    payments = Payments(context.engine, providers, ledger=context.ledger)
    try:
        return payments.start(number, order.provider, method=method)
    except ProviderUnavailable:
        # The provider is down: the citizen may try again later; nothing was recorded.
        raise ServiceUnavailableException(detail="the payment provider cannot be reached") from None
