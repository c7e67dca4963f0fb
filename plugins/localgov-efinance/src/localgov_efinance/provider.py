"""The e-finance provider: bill references paid by Meeza card, government POS or post office."""

from __future__ import annotations

import os
from collections.abc import Mapping
from decimal import Decimal

import attrs

from localgov.i18n import LocalizedText
from localgov.payments import (
    CreatedPayment,
    Notification,
    PaymentConfigurationError,
    PaymentMethod,
    PaymentOrder,
    PaymentState,
    Refund,
    Secret,
    secret_from_env,
)
from localgov.payments.http import HttpTransport, UrllibTransport
from localgov_efinance.wire import HttpCall, ProvisionalWireFormat, WireFormat

__all__ = ["ENV_PREFIX", "EFinanceProvider", "EFinanceSettings"]

ENV_PREFIX = "LOCALGOV_EFINANCE_"


@attrs.frozen
class EFinanceSettings:
    """A government entity's e-finance settings: its biller id, shared secret and the service URL."""

    biller_id: str
    secret: Secret = attrs.field(repr=False)
    base_url: str
    timeout: float = 30.0

    @classmethod
    def from_settings(cls, values: Mapping[str, str]) -> EFinanceSettings:
        """From the application's settings for the plugin: the environment variables' names
        without their prefix, in lower case (``merchant_code``, ``secure_key``...)."""
        return cls.from_env({ENV_PREFIX + name.upper(): value for name, value in values.items()})

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, prefix: str = ENV_PREFIX) -> EFinanceSettings:
        """Read ``LOCALGOV_EFINANCE_BILLER_ID``, ``_SECRET`` and ``_BASE_URL``."""
        env = os.environ if environ is None else environ
        missing = [prefix + name for name in ("BILLER_ID", "BASE_URL") if not env.get(prefix + name, "").strip()]
        if missing:
            raise PaymentConfigurationError(f"environment variable {', '.join(missing)} is not set")
        return cls(
            env[prefix + "BILLER_ID"].strip(), secret_from_env(prefix + "SECRET", env), env[prefix + "BASE_URL"].strip()
        )


class EFinanceProvider:
    """e-finance (إي فاينانس), the Ministry of Finance's government collection system (code ``"efinance"``).

    :param settings: from the environment (``LOCALGOV_EFINANCE_*``) on first use when ``None``.
    :param wire: the wire format; :class:`ProvisionalWireFormat` until e-finance's specification is in hand.
    """

    code = "efinance"
    name = LocalizedText(
        "إي فاينانس — منظومة الدفع والتحصيل الإلكتروني الحكومي", "e-finance — government e-payment and collection"
    )
    methods = frozenset({PaymentMethod.OUTLET, PaymentMethod.CARD})

    def __init__(
        self,
        settings: EFinanceSettings | None = None,
        *,
        wire: WireFormat | None = None,
        transport: HttpTransport | None = None,
    ) -> None:
        self._settings = settings
        self._wire = wire
        self._transport = transport

    def __repr__(self) -> str:
        biller = self._settings.biller_id if self._settings else "(from environment)"
        return f"EFinanceProvider(biller_id={biller!r})"

    @property
    def settings(self) -> EFinanceSettings:
        if self._settings is None:
            self._settings = EFinanceSettings.from_env()
        return self._settings

    @property
    def wire(self) -> WireFormat:
        if self._wire is None:
            self._wire = ProvisionalWireFormat(self.settings.biller_id, self.settings.secret, provider_code=self.code)
        return self._wire

    def _send(self, call: HttpCall) -> tuple[int, bytes]:
        if self._transport is None:
            self._transport = UrllibTransport(self.settings.timeout, name="e-finance")
        return self._transport.request(
            call.method, self.settings.base_url.rstrip("/") + call.path, call.body, call.headers
        )

    def create_payment(self, order: PaymentOrder) -> CreatedPayment:
        return self.wire.read_bill(*self._send(self.wire.issue_bill(order)), order)

    def query_status(self, merchant_ref: str) -> PaymentState:
        return self.wire.read_inquiry(*self._send(self.wire.inquire(merchant_ref)), merchant_ref)

    def refund(self, provider_ref: str, amount: Decimal, reason: str | None = None) -> Refund:
        return self.wire.read_refund(
            *self._send(self.wire.refund(provider_ref, amount, reason)), provider_ref, amount, reason
        )

    def cancel(self, provider_ref: str) -> None:
        self.wire.read_cancel(*self._send(self.wire.cancel(provider_ref)), provider_ref)

    def parse_notification(self, body: bytes, headers: Mapping[str, str]) -> Notification:
        return self.wire.notification(body, headers)
