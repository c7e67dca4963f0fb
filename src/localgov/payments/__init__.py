"""Payments: providers, notifications, the ledger and reconciliation.

- :class:`PaymentProvider`: the contract a provider plugin implements (Fawry, e-finance...);
- :class:`Payments`: create a payment for what a request owes, refund, cancel;
- :func:`handle_notification`: a provider's message in, an HTTP answer out; a confirmed payment
  that covers the invoice moves the request on as the system actor;
- :func:`reconcile` and :func:`daily_report`: the sweep and the day's totals;
- :data:`payments_metadata` and :func:`migrate_payments`: the ledger's tables.
"""

import importlib
from typing import TYPE_CHECKING, Any

from localgov.payments.errors import (
    InvalidNotificationSignature,
    MalformedNotification,
    PaymentConfigurationError,
    PaymentError,
    PaymentNotAllowed,
    ProviderError,
    ProviderUnavailable,
    UnknownPayment,
)
from localgov.payments.model import (
    ChargeItem,
    CreatedPayment,
    Customer,
    Notification,
    PaymentMethod,
    PaymentOrder,
    PaymentState,
    PaymentStatus,
    Refund,
)
from localgov.payments.money import CURRENCY, dump_json, format_amount, parse_amount, parse_json
from localgov.payments.protocol import PaymentProvider
from localgov.payments.secrets import Secret, secret_from_env
from localgov.payments.signing import sha256_signature, signatures_match

# The ledger, reconciliation and the payments service work on the database (SQLAlchemy); they are
# imported on first use, so that importing the provider contract stays light for every plugin.
_LAZY = {
    "NotificationRecord": "ledger",
    "OrderRecord": "ledger",
    "Outcome": "ledger",
    "PaymentLedger": "ledger",
    "RefundRecord": "ledger",
    "migrate_payments": "ledger",
    "payments_metadata": "ledger",
    "handle_notification": "notifications",
    "DailyReport": "reconciliation",
    "Finding": "reconciliation",
    "ProviderTotals": "reconciliation",
    "ReconciliationReport": "reconciliation",
    "RevenueItemTotal": "reconciliation",
    "daily_report": "reconciliation",
    "reconcile": "reconciliation",
    "Payments": "service",
    "order_for_request": "service",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'localgov.payments' has no attribute {name!r}")
    return getattr(importlib.import_module(f"localgov.payments.{module}"), name)


if TYPE_CHECKING:
    from localgov.payments.ledger import (
        NotificationRecord,
        OrderRecord,
        Outcome,
        PaymentLedger,
        RefundRecord,
        migrate_payments,
        payments_metadata,
    )
    from localgov.payments.notifications import handle_notification
    from localgov.payments.reconciliation import (
        DailyReport,
        Finding,
        ProviderTotals,
        ReconciliationReport,
        RevenueItemTotal,
        daily_report,
        reconcile,
    )
    from localgov.payments.service import Payments, order_for_request

__all__ = [
    "CURRENCY",
    "ChargeItem",
    "CreatedPayment",
    "Customer",
    "DailyReport",
    "Finding",
    "InvalidNotificationSignature",
    "MalformedNotification",
    "Notification",
    "NotificationRecord",
    "OrderRecord",
    "Outcome",
    "PaymentConfigurationError",
    "PaymentError",
    "PaymentLedger",
    "PaymentMethod",
    "PaymentNotAllowed",
    "PaymentOrder",
    "PaymentProvider",
    "PaymentState",
    "PaymentStatus",
    "Payments",
    "ProviderError",
    "ProviderTotals",
    "ProviderUnavailable",
    "ReconciliationReport",
    "Refund",
    "RefundRecord",
    "RevenueItemTotal",
    "Secret",
    "UnknownPayment",
    "daily_report",
    "dump_json",
    "format_amount",
    "handle_notification",
    "migrate_payments",
    "order_for_request",
    "parse_amount",
    "parse_json",
    "payments_metadata",
    "reconcile",
    "secret_from_env",
    "sha256_signature",
    "signatures_match",
]
