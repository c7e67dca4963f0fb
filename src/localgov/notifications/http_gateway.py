"""An SMS aggregator's REST API behind the notifier protocol.

Many Egyptian aggregators offer HTTPS instead of SMPP: ``POST {base_url}/messages`` with a bearer
token and ``{"from", "to", "text", "client_ref"}``, answered ``202 {"id": ...}``. ``client_ref`` is
the outbox's message id: the gateway answers a repeated reference with the id it gave the first
time and sends nothing again. Delivery receipts come back as ``POST`` callbacks
(``{"id", "status"}``), read by :meth:`HttpSmsGateway.receipt_from`.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence

from localgov.notifications.errors import (
    DeliveryRefused,
    GatewayUnavailable,
    NotifierConfigurationError,
    Throttled,
)
from localgov.notifications.protocol import DeliveryReceipt, OutboundMessage, ReceiptHandler

__all__ = ["HttpSmsGateway"]

DELIVERED = frozenset({"delivered", "DELIVRD"})


class HttpSmsGateway:
    """Sends through an aggregator's REST API (settings: ``base_url``, ``token``, ``sender``)."""

    def __init__(
        self, base_url: str, token: str, sender: str, *, code: str = "http_sms", timeout: float = 10.0
    ) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise NotifierConfigurationError(f"{code}: base_url must be an http(s) URL, not {base_url!r:.80}")
        if not token:
            raise NotifierConfigurationError(f"{code}: token is not set")
        if not sender or len(sender) > 11 and not sender.lstrip("+").isdigit():
            raise NotifierConfigurationError(f"{code}: sender {sender!r} must be 1 to 11 characters or a number")
        self.code, self._url, self._token, self._sender = code, base_url.rstrip("/"), token, sender
        self._timeout = timeout
        self._handlers: list[ReceiptHandler] = []

    @classmethod
    def from_settings(cls, settings: Mapping[str, str], *, code: str = "http_sms") -> HttpSmsGateway:
        missing = [key for key in ("base_url", "token", "sender") if not settings.get(key)]
        if missing:
            raise NotifierConfigurationError(f"{code}: settings {', '.join(missing)} are not set")
        return cls(settings["base_url"], settings["token"], settings["sender"], code=code)

    def send(self, message: OutboundMessage) -> Sequence[str]:
        body = json.dumps(
            {"from": self._sender, "to": message.recipient, "text": message.text, "client_ref": message.message_id},
            ensure_ascii=False,
        ).encode("utf-8")
        request = urllib.request.Request(
            f"{self._url}/messages",
            data=body,
            method="POST",
            headers={"Authorization": f"Bearer {self._token}", "Content-Type": "application/json; charset=utf-8"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:
                answer = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            raise self._failure(error) from None
        except (OSError, ValueError) as error:
            raise GatewayUnavailable(f"{self.code}: {self._url} did not answer: {error}") from None
        provider_id = answer.get("id") if isinstance(answer, dict) else None
        if not isinstance(provider_id, str) or not provider_id:
            raise GatewayUnavailable(f"{self.code}: the answer has no message id")
        return [provider_id]

    def _failure(self, error: urllib.error.HTTPError) -> Exception:
        detail = error.read()[:200].decode("utf-8", "replace")
        if error.code == 429:
            try:
                retry_after = float(error.headers.get("Retry-After", "1"))
            except ValueError:
                retry_after = 1.0
            return Throttled(f"{self.code}: throttled (429)", retry_after=max(0.0, retry_after))
        if error.code in (400, 422):
            return DeliveryRefused(f"{self.code}: message refused ({error.code}): {detail}")
        if error.code in (401, 403):
            return NotifierConfigurationError(f"{self.code}: the gateway refused the token (HTTP {error.code})")
        # 5xx and the rest: nothing is wrong with the message, so keep it for later.
        return GatewayUnavailable(f"{self.code}: HTTP {error.code}: {detail}")

    def on_receipt(self, handler: ReceiptHandler) -> None:
        self._handlers.append(handler)

    def receipt_from(self, body: bytes) -> DeliveryReceipt:
        """Read a receipt callback's body and hand it to the receipt handlers."""
        try:
            data = json.loads(body)
            provider_id, status = data["id"], data["status"]
        except (ValueError, KeyError, TypeError):
            raise DeliveryRefused(f"{self.code}: a receipt must be JSON with id and status") from None
        if not isinstance(provider_id, str) or not isinstance(status, str):
            raise DeliveryRefused(f"{self.code}: a receipt's id and status must be strings")
        receipt = DeliveryReceipt(self.code, provider_id, status in DELIVERED, status)
        for handler in self._handlers:
            handler(receipt)
        return receipt
