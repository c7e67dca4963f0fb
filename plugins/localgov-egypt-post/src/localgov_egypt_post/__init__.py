"""Egypt Post (البريد المصري) counters for localgov.

- Post-office service points: the plugin ships, per governorate, the post offices that take
  requests (``data/post_offices/<code>.toml``), registered through ``register_organisation`` only
  for the governorates the application names:
  ``Localgov(settings={"egypt_post": {"governorates": "C,KB"}})`` (Cairo's and Qalyubia's lists
  are placeholders).
  A governorate plugin may equally declare its own ``post_office`` service points.
- :class:`EgyptPostProvider` (code ``"egypt_post"``): fees paid in cash at the counter, confirmed
  by the counter system's signed message. Egypt Post publishes no integration API, so the provider
  calls a :class:`CounterSystem` the deployment supplies; with ``{"counter": "simulator"}`` in the
  plugin's settings it is registered over :class:`CounterSimulator` (trials and demos).
- The daily batch of counter transactions (:func:`parse_batch`, :func:`write_batch`) and its
  reconciliation against the ledger (:func:`reconcile_batch`, :func:`reconcile_batch_file`).
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any

from localgov.catalogue.sources import DefinitionSource
from localgov.errors import LocalgovError
from localgov.payments import PaymentProvider
from localgov.plugins import PluginHost
from localgov.plugins.hookspecs import hookimpl
from localgov_egypt_post.batch import (
    COLUMNS,
    MAGIC,
    VERSION,
    Batch,
    BatchEntry,
    BatchError,
    parse_batch,
    seal,
    write_batch,
)
from localgov_egypt_post.confirmation import SIGNATURE_HEADER
from localgov_egypt_post.counter import (
    CounterPayment,
    CounterStatus,
    CounterSystem,
    Payable,
    luhn_digit,
    new_payment_code,
    valid_payment_code,
)
from localgov_egypt_post.provider import CODE, EgyptPostProvider
from localgov_egypt_post.reconciliation import (
    BatchFinding,
    BatchReconciliation,
    reconcile_batch,
    reconcile_batch_file,
)
from localgov_egypt_post.simulator import CounterSimulator, DeliveredConfirmation

__all__ = [
    "CODE",
    "COLUMNS",
    "MAGIC",
    "POST_OFFICES",
    "SIGNATURE_HEADER",
    "VERSION",
    "Batch",
    "BatchEntry",
    "BatchError",
    "BatchFinding",
    "BatchReconciliation",
    "CounterPayment",
    "CounterSimulator",
    "CounterStatus",
    "CounterSystem",
    "DeliveredConfirmation",
    "EgyptPostProvider",
    "Payable",
    "demo_payment",
    "luhn_digit",
    "new_payment_code",
    "parse_batch",
    "post_office_sources",
    "reconcile_batch",
    "reconcile_batch_file",
    "register_organisation",
    "register_payment_providers",
    "seal",
    "valid_payment_code",
    "write_batch",
]

POST_OFFICES: Traversable = files(__name__) / "data" / "post_offices"


def post_office_sources(governorates: str) -> list[Traversable]:
    """The shipped post-office files of ``governorates`` (comma-separated ISO codes: ``"C"``)."""
    shipped = {
        entry.name.removesuffix(".toml"): entry for entry in POST_OFFICES.iterdir() if entry.name.endswith(".toml")
    }
    sources = []
    for code in (c.strip() for c in governorates.split(",") if c.strip()):
        if code not in shipped:
            raise LocalgovError(
                f"egypt_post settings, governorates: no post offices shipped for {code!r} "
                f"(shipped: {', '.join(sorted(shipped))}); declare them in the governorate's organisation files"
            )
        sources.append(shipped[code])
    return sources


@hookimpl
def register_organisation(register: Callable[[DefinitionSource], None], app: PluginHost) -> None:
    # Opt-in: the shipped lists are placeholders, and a governorate whose plugin is not loaded
    # would make them name unknown units.
    for source in post_office_sources(app.settings_for("egypt_post").get("governorates", "")):
        register(source)


@hookimpl
def register_payment_providers(register: Callable[[PaymentProvider], None], app: PluginHost) -> None:
    settings = app.settings_for("egypt_post")
    counter = settings.get("counter")
    if counter is None:
        return  # a deployment registers EgyptPostProvider over its own counter integration
    if counter != "simulator":
        raise LocalgovError(f"egypt_post settings, counter: only 'simulator' is built in, got {counter!r}")
    simulator = CounterSimulator(settings["key"]) if settings.get("key") else CounterSimulator()
    register(simulator.provider())


@hookimpl(tryfirst=True)
def demo_payment(engine: Any, request: Any) -> str | None:
    """For ``localgov demo``: a request taken at a post office is paid in cash at that counter.

    Asked before the other payment plugins and answering only for the ``post_office`` channel, so
    the demo's other requests are still paid through their own simulators (Fawry's). Returns the
    payment code the clerk typed; the counter's signed confirmation has moved the request on.
    """
    if request.channel != "post_office":
        return None
    from localgov.payments import Payments

    counter = CounterSimulator(clock=engine.now)  # the scenario's clock, as the counter shares the wall clock
    payments = Payments(engine, [counter.provider()])
    created = payments.start(request.id, CODE)
    delivered = counter.collect(created.provider_ref, office=request.service_point or "", clerk="post-demo")
    status, body = payments.handle_notification(CODE, delivered.body, delivered.headers)
    if status != 200:
        raise LocalgovError(f"egypt_post demo: the counter's confirmation was refused ({status}: {body!r})")
    return created.provider_ref
