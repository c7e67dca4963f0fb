"""Telling citizens about their requests: the outbox's dispatcher, notifiers, inbound SMS.

The engine queues each message in the transaction of the event it tells about
(:mod:`localgov.requests.notices`); a :class:`Dispatcher` delivers the queue through a
:class:`Notifier` (the SMPP plugin, :class:`HttpSmsGateway`, :class:`FileNotifier`) with retries,
backoff and dead letters, and applies the delivery receipts. :class:`InboundHandler` answers the
SMS citizens send: status inquiries, STOP and START. See docs/notifications.md.
"""

from localgov.notifications.dispatcher import Dispatcher, DispatchRound
from localgov.notifications.errors import (
    DeliveryRefused,
    GatewayUnavailable,
    NotificationError,
    NotifierConfigurationError,
    Throttled,
)
from localgov.notifications.files import FileNotifier
from localgov.notifications.http_gateway import HttpSmsGateway
from localgov.notifications.http_simulator import HttpGatewaySimulator
from localgov.notifications.inbound import InboundHandler
from localgov.notifications.protocol import (
    DeliveryReceipt,
    Notifier,
    OutboundMessage,
    ReceiptHandler,
    ReportsDelivery,
)
from localgov.notifications.retry import RetryPolicy

__all__ = [
    "DeliveryReceipt",
    "DeliveryRefused",
    "DispatchRound",
    "Dispatcher",
    "FileNotifier",
    "GatewayUnavailable",
    "HttpGatewaySimulator",
    "HttpSmsGateway",
    "InboundHandler",
    "NotificationError",
    "Notifier",
    "NotifierConfigurationError",
    "OutboundMessage",
    "ReceiptHandler",
    "ReportsDelivery",
    "RetryPolicy",
    "Throttled",
]
