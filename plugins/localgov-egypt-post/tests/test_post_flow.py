"""The post-office flow end to end, on SQLite and PostgreSQL, and the batch's findings.

A post-office clerk at Shubra takes a shop licence renewal on the citizen's behalf, sends the paper
originals to the district by registered mail, the district records their arrival and checks the
documents, the fee is assessed and paid in cash at the counter, and the day's batch from the
counter system is reconciled against the ledger.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from localgov_egypt_post import (
    BatchEntry,
    CounterSimulator,
    EgyptPostProvider,
    luhn_digit,
    parse_batch,
    reconcile_batch,
    reconcile_batch_file,
)
from post_harness import (
    APPLICANT,
    ASSESSOR,
    CHECKER,
    KEY,
    POST_CLERK,
    RENEWAL_FORM,
    STAFF,
    post_office_app,
    renewal_documents,
)

from localgov.app import Localgov
from localgov.clock import EGYPT
from localgov.mail import S10Identifier
from localgov.payments import PaymentLedger, Payments
from localgov.requests import Engine, GuardFailed
from localgov.requests.model import Request

NOW = datetime.datetime(2026, 12, 7, 10, 30, tzinfo=EGYPT)
DAY = NOW.date()


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Localgov:
    return post_office_app(tmp_path_factory.mktemp("post"))


@pytest.fixture
def engine(app: Localgov, localgov_database_url: str) -> Iterator[Engine]:
    engine = app.engine(localgov_database_url, staff=[*STAFF, POST_CLERK], clock=lambda: NOW)
    yield engine
    engine.store.close()  # type: ignore[attr-defined]


@pytest.fixture
def counter() -> CounterSimulator:
    return CounterSimulator(KEY, clock=lambda: NOW)


@pytest.fixture
def payments(engine: Engine, counter: CounterSimulator) -> Payments:
    return Payments(engine, [counter.provider()])


_items = iter(range(20_000_001, 30_000_000))


def taken_at_the_post_office(engine: Engine) -> Request:
    """Submitted by the post-office clerk, originals sent and received, documents accepted, fees assessed."""
    request = engine.submit(
        "postal_renewal",
        unit="shubra",
        applicant=APPLICANT,
        form=RENEWAL_FORM,
        channel="post_office",
        actor=POST_CLERK,
        service_point="shubra_post",
        documents=renewal_documents(),
    )
    assert (request.channel, request.service_point) == ("post_office", "shubra_post")
    item = str(S10Identifier.of("RR", next(_items)))
    engine.record_originals(request.id, item=item, status="sent", actor=POST_CLERK)
    with pytest.raises(GuardFailed, match=item):
        engine.act(request.id, "accept_documents", CHECKER)
    engine.record_originals(request.id, item=item, status="arrived", actor=CHECKER)
    engine.act(request.id, "accept_documents", CHECKER)
    assessed = engine.act(request.id, "assess_fees", ASSESSOR)
    assert assessed.state == "awaiting_payment" and assessed.balance_due() > 0
    return assessed


def test_a_request_taken_at_the_post_office_is_paid_at_the_counter_and_reconciled(
    engine: Engine, counter: CounterSimulator, payments: Payments, tmp_path: Path
) -> None:
    request = taken_at_the_post_office(engine)
    created = payments.start(request.id, "egypt_post")
    assert created.reference_number == created.provider_ref and len(created.provider_ref) == 12
    delivered = counter.collect(created.provider_ref, office="shubra_post", clerk="post1")
    status, _ = payments.handle_notification("egypt_post", delivered.body, delivered.headers)
    assert status == 200
    paid = engine.get(request.id)
    assert paid.state == "approval" and paid.balance_due() == 0
    assert [(p.provider, p.reference) for p in paid.payments] == [("egypt_post", created.provider_ref)]
    # The counter's retry credits nothing more.
    again = counter.confirmation(created.provider_ref)
    assert payments.handle_notification("egypt_post", again.body, again.headers)[0] == 200
    assert len(engine.get(request.id).payments) == 1

    batch_file = tmp_path / f"batch-{DAY}.csv"
    batch_file.write_bytes(counter.daily_batch(DAY))
    report = reconcile_batch_file(engine, batch_file, counter.key)
    assert report.clean and report.credited == ()
    assert len(report.matched) == 1
    assert engine.verify_history(request.id) == []


def test_a_lost_confirmation_is_credited_from_the_batch(
    engine: Engine, counter: CounterSimulator, payments: Payments
) -> None:
    request = taken_at_the_post_office(engine)
    created = payments.start(request.id, "egypt_post")
    counter.collect(created.provider_ref, office="shubra_post", clerk="post1")  # never delivered
    assert engine.get(request.id).state == "awaiting_payment"
    report = reconcile_batch(engine, parse_batch(counter.daily_batch(DAY), counter.key))
    assert report.credited == (created.merchant_ref,) and report.clean
    assert engine.get(request.id).state == "approval"
    # Reconciling the same batch again credits nothing more.
    assert reconcile_batch(engine, parse_batch(counter.daily_batch(DAY), counter.key)).credited == ()
    assert len(engine.get(request.id).payments) == 1


def test_the_batch_and_the_ledger_disagreeing_is_reported_by_kind(
    engine: Engine, counter: CounterSimulator, payments: Payments
) -> None:
    confirmed, differing, refunded = (taken_at_the_post_office(engine) for _ in range(3))
    created = {r.id: payments.start(r.id, "egypt_post") for r in (confirmed, differing, refunded)}
    for request in (confirmed, differing, refunded):
        sent = counter.collect(created[request.id].provider_ref, office="shubra_post", clerk="post1")
        payments.handle_notification("egypt_post", sent.body, sent.headers)
    refund = payments.refund(created[refunded.id].merchant_ref, Decimal("1.00"), reason="overcharged", by="fee1")
    stranger = "9" * 11
    unknown = BatchEntry(
        "PO99999999", stranger + luhn_digit(stranger), "SHB-2699999-1-01", "PAY", Decimal("75.00"),
        "shubra_post", "post7", NOW,
    )  # fmt: skip
    ledger_amount = created[differing.id].amount
    batch = counter.daily_batch(
        DAY,
        leave_out=[created[confirmed.id].merchant_ref],
        amounts={created[differing.id].merchant_ref: ledger_amount + 10},
        extra=[unknown],
    )
    report = reconcile_batch(engine, parse_batch(batch, counter.key), ledger=PaymentLedger.for_engine(engine))
    kinds = sorted((f.kind, f.merchant_ref) for f in report.findings)
    assert kinds == sorted(
        [
            ("missing_in_batch", created[confirmed.id].merchant_ref),
            ("amount_differs", created[differing.id].merchant_ref),
            ("unknown_in_ledger", "SHB-2699999-1-01"),
        ]
    )
    differs = report.of_kind("amount_differs")[0]
    assert (differs.batch_amount, differs.ledger_amount) == (ledger_amount + 10, ledger_amount)
    assert differs.line is not None and differs.line >= 3
    # The refund paid out at the counter matches the ledger's refund by its receipt.
    assert refund.refund_ref in report.matched
    # A batch that leaves the refund out names it.
    without_refund = counter.daily_batch(DAY, leave_out=[created[refunded.id].merchant_ref])
    missing = reconcile_batch(engine, parse_batch(without_refund, counter.key)).of_kind("missing_in_batch")
    assert {(f.merchant_ref, f.receipt) for f in missing} >= {(created[refunded.id].merchant_ref, refund.refund_ref)}


def test_the_plugin_registers_post_offices_and_the_simulated_counter_only_when_asked(tmp_path: Path) -> None:
    plain = Localgov(plugins=["cairo", "egypt_post"])
    assert not [p for p in plain.organisation["C"].service_points.values() if p.kind.value == "post_office"]
    assert "egypt_post" not in plain.payment_providers
    asked = post_office_app(tmp_path, counter="simulator")
    offices = sorted(c for c, p in asked.organisation["C"].service_points.items() if p.kind.value == "post_office")
    assert offices == ["rod_el_farag_post", "sahel_post", "shubra_post"]
    registered = asked.payment_providers["egypt_post"]
    assert isinstance(registered, EgyptPostProvider) and isinstance(registered.counter, CounterSimulator)
    with pytest.raises(Exception, match="no post offices shipped for 'ALX'"):
        _ = Localgov(plugins=["cairo", "egypt_post"], settings={"egypt_post": {"governorates": "ALX"}}).organisation


def test_the_command_reconciles_a_batch_file_and_exits_by_its_findings(
    tmp_path: Path, counter: CounterSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner
    from localgov_egypt_post.cli import KEY_VARIABLE, cli

    stranger = "1" * 11
    unknown = BatchEntry(
        "PO00000077", stranger + luhn_digit(stranger), "SHB-2600077-1-01", "PAY", Decimal("75.00"),
        "shubra_post", "post7", NOW,
    )  # fmt: skip
    good = tmp_path / "batch.csv"
    good.write_bytes(counter.daily_batch(DAY, extra=[unknown]))
    empty = tmp_path / "empty.csv"
    empty.write_bytes(counter.daily_batch(DAY))
    broken = tmp_path / "broken.csv"
    broken.write_bytes(good.read_bytes().replace(b"75.00", b"76.00", 1))
    database = f"sqlite:///{tmp_path / 'localgov.sqlite3'}"
    runner = CliRunner()
    monkeypatch.delenv(KEY_VARIABLE, raising=False)
    unset = runner.invoke(cli, ["--db", database, "reconcile", str(good)])
    assert unset.exit_code == 2 and KEY_VARIABLE in unset.output
    monkeypatch.setenv(KEY_VARIABLE, KEY)
    found = runner.invoke(cli, ["--db", database, "reconcile", "--json", str(good)])
    assert found.exit_code == 1, found.output
    assert '"kind": "unknown_in_ledger"' in found.output and '"line": 3' in found.output
    assert runner.invoke(cli, ["--db", database, "reconcile", str(empty)]).exit_code == 0
    refused = runner.invoke(cli, ["--db", database, "reconcile", str(broken)])
    assert refused.exit_code == 2 and "broken.csv line 5, signature: does not verify" in refused.output
    assert KEY not in refused.output
