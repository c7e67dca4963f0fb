"""The payment provider contract suite: every provider plugin runs it against itself.

A plugin subclasses :class:`PaymentProviderContract` in its tests and supplies one fixture,
``payment_harness``: an object implementing :class:`ProviderHarness` (the provider, wired to the
plugin's simulator or sandbox, and the means to act as the outside world: pay, expire, tamper)::

    from localgov.testing.payments import PaymentProviderContract

    class TestFawryContract(PaymentProviderContract):
        @pytest.fixture
        def payment_harness(self):
            with FawrySimulator("MERCHANT", "secure-key") as simulator:
                yield FawryHarness(simulator)

The module is also a pytest plugin (``pytest_plugins = ["localgov.testing.payments"]``, or
``-p localgov.testing.payments``) giving the fixtures ``payment_provider`` (from
``payment_harness``) and ``make_payment_order``.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Protocol

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from localgov.payments import (
    ChargeItem,
    CreatedPayment,
    Customer,
    InvalidNotificationSignature,
    PaymentError,
    PaymentMethod,
    PaymentOrder,
    PaymentProvider,
    PaymentStatus,
    UnknownPayment,
)

__all__ = [
    "DeliveredNotification",
    "PaymentProviderContract",
    "ProviderHarness",
    "make_order",
    "make_payment_order",
    "payment_provider",
]


@attrs.frozen
class DeliveredNotification:
    """A message as a provider delivers it to the merchant's endpoint."""

    body: bytes
    headers: Mapping[str, str] = attrs.field(factory=dict)


class ProviderHarness(Protocol):
    """What the contract suite needs from a provider plugin's tests."""

    @property
    def provider(self) -> PaymentProvider:
        """The provider under test, configured against the simulator or sandbox."""
        ...

    @property
    def secrets(self) -> Sequence[str]:
        """Every secret the provider holds: none may appear in a repr or an error message."""
        ...

    def pay(self, created: CreatedPayment) -> DeliveredNotification:
        """Pay ``created`` as a citizen would; return the notification the provider sends about it."""
        ...

    def expire(self, created: CreatedPayment) -> None:
        """Let ``created`` expire unpaid."""
        ...

    def alter_amount(self, notification: DeliveredNotification, amount: Decimal) -> DeliveredNotification:
        """The same notification claiming another amount, its signature left as it was (a forgery)."""
        ...


_counter = iter(range(1, 10**9))


def make_order(
    amount: Decimal = Decimal("450.00"),
    method: PaymentMethod = PaymentMethod.OUTLET,
    *,
    merchant_ref: str | None = None,
) -> PaymentOrder:
    """A plausible order for a building permit's fees, with a fresh merchant reference."""
    reference = merchant_ref or f"CZTN-2600001-3-{next(_counter):04d}"
    half = (amount / 2).quantize(Decimal("0.01"))
    return PaymentOrder(
        merchant_ref=reference,
        request_id="CZTN-2600001-3",
        amount=amount,
        method=method,
        description="building_permit CZTN-2600001-3",
        items=(
            ChargeItem("cairo_building_permit", "Building permit fee", half),
            ChargeItem("cairo_building_review", "Review fee", amount - half),
        ),
        customer=Customer("محمد أحمد علي", "01012345678", "citizen@example.org"),
        expires_at=datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=2),
        return_url="https://portal.example.gov.eg/payments/return",
    )


CODE = re.compile(r"[a-z][a-z0-9_]{0,31}")
# Each plugin's subclass runs these methods with its own provider (a different executor, by design);
# the provider fixture is stateless across examples as far as these properties are concerned.
_FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.differing_executors],
)


class PaymentProviderContract:
    """The behaviour localgov relies on from every payment provider. Subclass it as ``Test...``."""

    @pytest.fixture
    def payment_harness(self) -> ProviderHarness:
        pytest.fail("a PaymentProviderContract subclass must define the payment_harness fixture")

    @pytest.fixture
    def provider(self, payment_harness: ProviderHarness) -> PaymentProvider:
        return payment_harness.provider

    @pytest.fixture
    def outlet_payment(self, provider: PaymentProvider) -> CreatedPayment:
        if PaymentMethod.OUTLET not in provider.methods:
            pytest.skip(f"{provider.code} has no outlet payments")
        return provider.create_payment(make_order())

    # ------------------------------------------------------------ identity and secrets

    def test_it_names_itself(self, provider: PaymentProvider) -> None:
        assert isinstance(provider, PaymentProvider)
        assert CODE.fullmatch(provider.code), provider.code
        assert provider.name.ar.strip() and provider.name.en.strip()
        assert provider.methods and provider.methods <= set(PaymentMethod)

    def test_secrets_never_show_in_reprs_or_errors(
        self, payment_harness: ProviderHarness, provider: PaymentProvider
    ) -> None:
        shown = [repr(provider), str(provider)]
        for attempt in (
            lambda: provider.query_status("no-such-payment"),
            lambda: provider.parse_notification(b'{"x": 1}', {}),
            lambda: provider.refund("no-such-payment", Decimal("1.00")),
        ):
            try:
                attempt()
            except PaymentError as error:
                shown.append(str(error))
                shown.append(repr(error))
        for secret in payment_harness.secrets:
            assert all(secret not in text for text in shown)

    # ------------------------------------------------------------ creating and querying

    def test_an_outlet_payment_has_a_reference_number(
        self, provider: PaymentProvider, outlet_payment: CreatedPayment
    ) -> None:
        assert outlet_payment.provider == provider.code
        assert outlet_payment.reference_number and outlet_payment.provider_ref
        assert outlet_payment.amount == Decimal("450.00") and outlet_payment.currency == "EGP"
        assert outlet_payment.status is PaymentStatus.PENDING

    def test_a_new_payment_is_pending(self, provider: PaymentProvider, outlet_payment: CreatedPayment) -> None:
        state = provider.query_status(outlet_payment.merchant_ref)
        assert state.status is PaymentStatus.PENDING
        assert (state.merchant_ref, state.provider_ref, state.amount) == (
            outlet_payment.merchant_ref,
            outlet_payment.provider_ref,
            outlet_payment.amount,
        )

    def test_amounts_keep_their_piastres(self, provider: PaymentProvider) -> None:
        method = next(iter(sorted(provider.methods, key=lambda m: m.value)))
        created = provider.create_payment(make_order(Decimal("1234.56"), method))
        assert created.amount == Decimal("1234.56")
        assert provider.query_status(created.merchant_ref).amount == Decimal("1234.56")

    def test_card_and_wallet_payments_redirect(self, provider: PaymentProvider) -> None:
        redirecting = [m for m in (PaymentMethod.CARD, PaymentMethod.WALLET) if m in provider.methods]
        if not redirecting:
            pytest.skip(f"{provider.code} takes no card or wallet payments")
        for method in redirecting:
            created = provider.create_payment(make_order(method=method))
            assert created.redirect_url and created.redirect_url.startswith(("https://", "http://127.0.0.1"))

    def test_an_unknown_payment_is_unknown(self, provider: PaymentProvider) -> None:
        with pytest.raises(UnknownPayment):
            provider.query_status("no-such-payment")

    # ------------------------------------------------------------ notifications

    def test_a_paid_payment_is_notified_and_verifies(
        self, payment_harness: ProviderHarness, provider: PaymentProvider, outlet_payment: CreatedPayment
    ) -> None:
        delivered = payment_harness.pay(outlet_payment)
        notification = provider.parse_notification(delivered.body, delivered.headers)
        assert notification.provider == provider.code
        assert notification.status is PaymentStatus.PAID
        assert (notification.merchant_ref, notification.provider_ref) == (
            outlet_payment.merchant_ref,
            outlet_payment.provider_ref,
        )
        assert notification.amount == outlet_payment.amount and notification.paid_amount >= notification.amount
        assert notification.currency == "EGP"
        assert provider.query_status(outlet_payment.merchant_ref).status is PaymentStatus.PAID
        again = provider.parse_notification(delivered.body, delivered.headers)
        assert again.key == notification.key, "a retried message must be recognisable as the same event"

    def test_an_altered_amount_is_refused(
        self, payment_harness: ProviderHarness, provider: PaymentProvider, outlet_payment: CreatedPayment
    ) -> None:
        delivered = payment_harness.pay(outlet_payment)
        for amount in (Decimal("1.00"), outlet_payment.amount * 2):
            forged = payment_harness.alter_amount(delivered, amount)
            with pytest.raises(InvalidNotificationSignature):
                provider.parse_notification(forged.body, forged.headers)

    def test_a_changed_byte_never_changes_what_is_believed(
        self, payment_harness: ProviderHarness, provider: PaymentProvider, outlet_payment: CreatedPayment
    ) -> None:
        delivered = payment_harness.pay(outlet_payment)
        genuine = provider.parse_notification(delivered.body, delivered.headers)

        @_FUZZ
        @given(st.integers(min_value=0, max_value=len(delivered.body) - 1), st.integers(min_value=1, max_value=255))
        def check(position: int, flip: int) -> None:
            body = bytearray(delivered.body)
            body[position] ^= flip
            try:
                parsed = provider.parse_notification(bytes(body), delivered.headers)
            except PaymentError:
                return
            # Bytes outside the signed fields (a customer's name, say) may change; what is paid may not.
            signed = ("merchant_ref", "provider_ref", "status", "amount", "paid_amount")
            assert [getattr(parsed, f) for f in signed] == [getattr(genuine, f) for f in signed]

        check()

    @_FUZZ
    @given(body=st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
    def test_garbage_raises_only_payment_errors(self, provider: PaymentProvider, body: bytes) -> None:
        with pytest.raises(PaymentError):
            provider.parse_notification(body, {"Content-Type": "application/json"})

    # ------------------------------------------------------------ refunds, cancellations, expiry

    def test_partial_then_full_refund(
        self, payment_harness: ProviderHarness, provider: PaymentProvider, outlet_payment: CreatedPayment
    ) -> None:
        payment_harness.pay(outlet_payment)
        part = provider.refund(outlet_payment.provider_ref, Decimal("100.00"), "overcharged")
        assert part.amount == Decimal("100.00")
        # Not every provider's status answer tells a partial refund from a payment; none may call it whole.
        state = provider.query_status(outlet_payment.merchant_ref)
        assert state.status in (PaymentStatus.PARTIALLY_REFUNDED, PaymentStatus.PAID)
        with pytest.raises(PaymentError):
            provider.refund(outlet_payment.provider_ref, Decimal("350.01"))
        provider.refund(outlet_payment.provider_ref, Decimal("350.00"))
        assert provider.query_status(outlet_payment.merchant_ref).status is PaymentStatus.REFUNDED

    def test_an_unpaid_payment_cannot_be_refunded(
        self, provider: PaymentProvider, outlet_payment: CreatedPayment
    ) -> None:
        with pytest.raises(PaymentError):
            provider.refund(outlet_payment.provider_ref, Decimal("10.00"))

    def test_an_unpaid_payment_can_be_cancelled_and_a_paid_one_cannot(
        self, payment_harness: ProviderHarness, provider: PaymentProvider, outlet_payment: CreatedPayment
    ) -> None:
        provider.cancel(outlet_payment.provider_ref)
        assert provider.query_status(outlet_payment.merchant_ref).status is PaymentStatus.CANCELLED
        paid = provider.create_payment(make_order())
        payment_harness.pay(paid)
        with pytest.raises(PaymentError):
            provider.cancel(paid.provider_ref)

    def test_an_expired_payment_reports_expired(
        self, payment_harness: ProviderHarness, provider: PaymentProvider, outlet_payment: CreatedPayment
    ) -> None:
        payment_harness.expire(outlet_payment)
        assert provider.query_status(outlet_payment.merchant_ref).status is PaymentStatus.EXPIRED


# ------------------------------------------------------------------ pytest plugin fixtures


@pytest.fixture
def payment_provider(payment_harness: ProviderHarness) -> PaymentProvider:
    """The provider of the ``payment_harness`` fixture the plugin's conftest supplies."""
    return payment_harness.provider


@pytest.fixture
def make_payment_order() -> Callable[..., PaymentOrder]:
    """:func:`make_order`, as a fixture."""
    return make_order
