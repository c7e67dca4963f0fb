"""Peer run (issue #17): the same building permit in localgov's engine and in SpiffWorkflow, on SQLite.

One permit is eight steps, each its own durable transaction: submit, document check, engineering
review, site inspection, fee assessment, payment, approval, issue.

- **localgov**: ``Localgov(plugins=["cairo"]).engine(SqlStore.open(url))``, the building permit
  driven as bench_engine.py drives it (``engine.submit``, ``engine.act`` by the employee who holds
  each role, the fee paid with ``engine.record_payment``). Each step also checks role,
  separation of duties and assignment, assigns the next employee and appends a hash-chained event.
- **SpiffWorkflow 3** (``pip install -e '.[bench]'``): the process in ``bench/peer/permit.bpmn``
  (eight user tasks in the same order, an exclusive gateway after the document check) parsed by
  ``BpmnParser``, run as a ``BpmnWorkflow``; each user task is completed with the data the step
  carries (the form, the document references, who and when, the invoice, the payment, the
  permit number) and the workflow is then serialized with ``BpmnWorkflowSerializer`` and written
  to its row in an SQLite file, in a transaction of its own (``BEGIN IMMEDIATE``, an UPDATE under
  a version guard, ``COMMIT``). Two ways of running it:

  * *kept*: the workflow objects stay in memory between steps; each step serializes and writes.
  * *loaded*: each step reads the row and deserializes the workflow first, as a stateless
    server (or ``engine.act``, which reads the request at each call) does.

Both sides use the same database settings: the SQLite file is opened by localgov's own
``open_database`` (WAL, ``synchronous=FULL``, then again at ``NORMAL``), and both write on the
driver's connection, kept between steps. Rounds are interleaved (the order rotated each round),
with the raw one-row insert-and-commit rate of the same settings measured in the same round.

Printed for each setting: steps per second of each (median of the rounds, and the range), the
ratio localgov / SpiffWorkflow, and the database bytes per finished permit: the payload of the
rows written (SQLite's ``dbstat``: records and index entries) and the growth of the file's pages
in use, after a checkpoint.

Run: ``.venv/bin/python bench/bench_peer.py [--quick] [--permits N] [--rounds N]``
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import hashlib
import json
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import attrs

from localgov import Localgov
from localgov.storage import SqlStore, open_database

try:
    from localgov.requests import Engine, Request
except ImportError:  # before localgov.requests exported them
    from localgov.requests.engine import Engine
    from localgov.requests.model import Request

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_engine import APPLICANT, DOCUMENTS, FORM, PATH, PDF, STAFF, advance, machine, submit
from raw_write_rates import measure_commit_rate

try:
    from SpiffWorkflow.bpmn.parser import BpmnParser
    from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
    from SpiffWorkflow.bpmn.specs import BpmnProcessSpec
    from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
    from SpiffWorkflow.util.task import TaskState
    from SpiffWorkflow.version import __version__ as SPIFF_VERSION
except ImportError:  # pragma: no cover - told to the person running it
    raise SystemExit(
        "bench_peer needs SpiffWorkflow 3: .venv/bin/pip install -e '.[bench]' (make bench installs it)"
    ) from None

BPMN = HERE / "peer" / "permit.bpmn"
PROCESS = "building_permit"
STEPS_PER_PERMIT = 1 + len(PATH)  # the submission, then the seven decisions of bench_engine.PATH
# The BPMN user tasks, in order, with the employee who completes each (the same as localgov's).
SPIFF_STEPS = [
    ("submit", "clerk1"),
    ("document_check", "doc1"),
    ("review", "eng1"),
    ("inspection", "insp1"),
    ("fees", "fee1"),
    ("payment", "system"),
    ("approval", "head1"),
    ("issue", "iss1"),
]
ROLES = {member.id: sorted(member.roles) for member in STAFF}
SCHEMA = """
CREATE TABLE IF NOT EXISTS peer_workflows (
    id TEXT PRIMARY KEY,
    process TEXT NOT NULL,
    version INTEGER NOT NULL,
    completed INTEGER NOT NULL,
    state TEXT NOT NULL
)
"""


def now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat()


# ------------------------------------------------------------------------------------- localgov


def localgov_permits(engine: Engine, count: int) -> float:
    """Seconds for ``count`` building permits, each submitted and taken to its issue."""
    started = time.perf_counter()
    for _ in range(count):
        request = advance(engine, submit(engine), len(PATH))
        if request.issued is None:
            raise RuntimeError(f"{request.id} ended in {request.state}, not issued")
    return time.perf_counter() - started


# --------------------------------------------------------------------------------- SpiffWorkflow


class SpiffPermits:
    """Building permits as SpiffWorkflow BPMN workflows, each saved to its SQLite row after every step."""

    def __init__(
        self,
        url: str,
        *,
        durable: bool,
        spec: BpmnProcessSpec,
        invoice: dict[str, Any],
        loaded: bool,
    ) -> None:
        self.database = open_database(url, durable=durable)  # localgov's own settings for the file
        self.connection = self.database.raw_connection()  # the driver's, kept, in autocommit
        self.cursor = self.connection.cursor()
        self.cursor.execute(SCHEMA)
        self.spec = spec
        self.serializer = BpmnWorkflowSerializer()
        self.invoice = invoice
        self.loaded = loaded
        self.kept: dict[str, tuple[BpmnWorkflow, int]] = {}
        self.sequence = 0

    def close(self) -> None:
        self.cursor.close()
        self.connection.close()
        self.database.dispose()

    def permits(self, count: int) -> float:
        started = time.perf_counter()
        for _ in range(count):
            self.permit()
        return time.perf_counter() - started

    def permit(self) -> None:
        self.sequence += 1
        permit_id = f"PEER-{self.sequence:07d}"
        for task_name, actor in SPIFF_STEPS:
            self.step(permit_id, task_name, actor)
        self.kept.pop(permit_id, None)

    def step_data(self, permit_id: str, task_name: str, actor: str) -> dict[str, Any]:
        """What the step records: who, when and the step's own facts (as localgov's events do)."""
        data: dict[str, Any] = {
            f"{task_name}_by": actor,
            f"{task_name}_role": ROLES.get(actor, ["system"])[0],
            f"{task_name}_at": now(),
        }
        if task_name == "submit":
            data.update(
                request_id=permit_id,
                service=PROCESS,
                unit="zeitoun",
                channel="front_desk",
                service_point="zeitoun_tc",
                applicant={
                    "national_id": APPLICANT.national_id,
                    "name": APPLICANT.name,
                    "mobile": APPLICANT.mobile,
                },
                form=dict(FORM),
                documents=[
                    {
                        "type": t,
                        "sha256": hashlib.sha256(PDF).hexdigest(),
                        "size": len(PDF),
                        "media_type": "application/pdf",
                    }
                    for t in DOCUMENTS
                ],
            )
        elif task_name == "document_check":
            data["documents_complete"] = True  # the gateway's condition
        elif task_name == "fees":
            data["invoice"] = self.invoice
        elif task_name == "payment":
            data["payment"] = {
                "provider": "fawry",
                "reference": permit_id,
                "amount": self.invoice["total"],
            }
        elif task_name == "issue":
            data["issued"] = {
                "number": f"BP-{permit_id}",
                "issued_on": datetime.date.today().isoformat(),
            }
        return data

    def step(self, permit_id: str, task_name: str, actor: str) -> None:
        cursor = self.cursor
        if task_name == "submit":
            workflow, version = BpmnWorkflow(self.spec), 0
            workflow.do_engine_steps()
        elif self.loaded:
            # Read outside the write transaction, as localgov's store does: the UPDATE's version
            # guard refuses a workflow someone else moved meanwhile.
            row = cursor.execute("SELECT version, state FROM peer_workflows WHERE id = ?", (permit_id,)).fetchone()
            version, workflow = row[0], self.serializer.deserialize_json(row[1])
        else:
            workflow, version = self.kept[permit_id]
        task = workflow.get_next_task(state=TaskState.READY, manual=True)
        if task is None or task.task_spec.name != task_name:
            raise RuntimeError(f"{permit_id}: expected the user task {task_name}, got {task}")
        task.data.update(self.step_data(permit_id, task_name, actor))
        task.run()
        workflow.do_engine_steps()
        state = self.serializer.serialize_json(workflow)
        cursor.execute("BEGIN IMMEDIATE")
        try:
            if version == 0:
                cursor.execute(
                    "INSERT INTO peer_workflows (id, process, version, completed, state) VALUES (?, ?, 1, ?, ?)",
                    (permit_id, PROCESS, workflow.is_completed(), state),
                )
            else:
                cursor.execute(
                    "UPDATE peer_workflows SET version = ?, completed = ?, state = ? WHERE id = ? AND version = ?",
                    (version + 1, workflow.is_completed(), state, permit_id, version),
                )
                if cursor.rowcount != 1:
                    raise RuntimeError(f"{permit_id} changed since it was read")
            cursor.execute("COMMIT")
        except BaseException:
            cursor.execute("ROLLBACK")
            raise
        if not self.loaded:
            self.kept[permit_id] = (workflow, version + 1)

    def check(self) -> None:
        """Every stored workflow finished, and one of them reads back as finished."""
        rows = self.cursor.execute("SELECT count(*), sum(completed) FROM peer_workflows").fetchone()
        if rows[0] != self.sequence or rows[1] != self.sequence:
            raise RuntimeError(f"{rows[1]} of {rows[0]} stored workflows completed, expected {self.sequence}")
        state = self.cursor.execute("SELECT state FROM peer_workflows ORDER BY id DESC LIMIT 1").fetchone()[0]
        workflow = self.serializer.deserialize_json(state)
        if not workflow.is_completed() or workflow.data.get("issued") is None:
            raise RuntimeError("the last stored workflow does not read back as an issued permit")

    def state_bytes(self) -> tuple[float, int]:
        """The mean length of a finished permit's serialized workflow, and that of the process spec in it."""
        mean = self.cursor.execute("SELECT avg(length(CAST(state AS BLOB))) FROM peer_workflows").fetchone()[0]
        return mean, len(json.dumps(json.loads(self.serializer.serialize_json(BpmnWorkflow(self.spec)))["spec"]))


def load_spec() -> BpmnProcessSpec:
    parser = BpmnParser()
    parser.add_bpmn_file(str(BPMN))
    return parser.get_spec(PROCESS)


def invoice_of(request: Request) -> dict[str, Any]:
    """localgov's invoice of a permit as plain JSON data, for the SpiffWorkflow permits to carry."""
    if request.invoice is None:
        raise RuntimeError(f"{request.id} has no invoice")
    lines = [
        {k: str(v) if v is not None else None for k, v in attrs.asdict(line).items()} for line in request.invoice.lines
    ]
    return {"lines": lines, "total": str(request.invoice.total)}


# ------------------------------------------------------------------------------------ the bytes


def usage(path: Path, prefix: str) -> dict[str, int]:
    """Bytes in the file for the tables (and their indexes) whose names start with ``prefix``.

    After a checkpoint, so everything is in the main file: ``payload`` is the rows' and index
    entries' own bytes (SQLite's ``dbstat`` table), ``file`` the bytes of the file's pages in use,
    and each table's and index's payload under its own name.
    """
    with contextlib.closing(sqlite3.connect(path)) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        tables = [
            name
            for (name,) in connection.execute(
                "SELECT name FROM sqlite_schema WHERE tbl_name LIKE ? AND type IN ('table', 'index')",
                (f"{prefix}%",),
            )
        ]
        sizes: dict[str, int] = {}
        for name in tables:
            sizes[name] = connection.execute(
                "SELECT coalesce(sum(payload), 0) FROM dbstat WHERE name = ?", (name,)
            ).fetchone()[0]
        page_size = connection.execute("PRAGMA page_size").fetchone()[0]
        in_use = (
            connection.execute("PRAGMA page_count").fetchone()[0]
            - connection.execute("PRAGMA freelist_count").fetchone()[0]
        )
    return {"payload": sum(sizes.values()), "file": in_use * page_size, **sizes}


def per_permit(before: dict[str, int], after: dict[str, int], permits: int) -> dict[str, float]:
    return {key: (after[key] - before.get(key, 0)) / permits for key in after}


# ------------------------------------------------------------------------------------ the run


@attrs.frozen
class Result:
    label: str
    rates: list[float]  # steps per second, one per round
    bytes: dict[str, float]  # per finished permit

    @property
    def rate(self) -> float:
        return statistics.median(self.rates)


def spread(values: Sequence[float], fmt: str = ",.0f") -> str:
    return f"{statistics.median(values):{fmt}} ({min(values):{fmt}}-{max(values):{fmt}})"


def run_setting(app: Localgov, *, durable: bool, permits: int, rounds: int) -> None:
    setting = "FULL" if durable else "NORMAL"
    steps = permits * STEPS_PER_PERMIT
    spec = load_spec()
    with tempfile.TemporaryDirectory(prefix="localgov-bench-peer-") as directory:
        folder = Path(directory)
        files = {name: folder / f"{name}.sqlite3" for name in ("localgov", "spiff-kept", "spiff-loaded", "raw")}
        engine = app.engine(SqlStore.open(f"sqlite:///{files['localgov']}", durable=durable), staff=STAFF)
        raw = open_database(f"sqlite:///{files['raw']}", durable=durable)
        spiffs: dict[str, SpiffPermits] = {}
        try:
            before = {"localgov": usage(files["localgov"], "lg_")}
            warm = advance(engine, submit(engine), len(PATH))  # warm-up, and the invoice Spiff carries
            invoice = invoice_of(warm)
            done = {"localgov": 1}
            for name, loaded in (("spiff-kept", False), ("spiff-loaded", True)):
                spiffs[name] = SpiffPermits(
                    f"sqlite:///{files[name]}",
                    durable=durable,
                    spec=spec,
                    invoice=invoice,
                    loaded=loaded,
                )
                before[name] = usage(files[name], "peer_")
                spiffs[name].permits(1)  # warm-up
                done[name] = 1
            measured: dict[str, list[float]] = {
                "localgov": [],
                "spiff-kept": [],
                "spiff-loaded": [],
                "raw": [],
            }
            runs: dict[str, Callable[[], float]] = {
                "localgov": lambda: localgov_permits(engine, permits),
                "spiff-kept": lambda: spiffs["spiff-kept"].permits(permits),
                "spiff-loaded": lambda: spiffs["spiff-loaded"].permits(permits),
                "raw": lambda: steps / measure_commit_rate(raw, transactions=steps, rounds=1, warmup=20).per_second,
            }
            order = list(runs)
            for index in range(rounds):
                # Interleaved, the order rotated, so a busy moment on the shared machine hits each alike.
                for name in order[index % len(order) :] + order[: index % len(order)]:
                    measured[name].append(steps / runs[name]())
                    if name != "raw":
                        done[name] += permits
            broken = engine.audit()
            if broken:
                raise RuntimeError(f"the benchmark's own histories do not verify: {broken}")
            for spiff in spiffs.values():
                spiff.check()
            state_bytes, spec_bytes = spiffs["spiff-kept"].state_bytes()
        finally:
            engine.store.close()  # type: ignore[attr-defined]
            raw.dispose()
            for spiff in spiffs.values():
                spiff.close()
        sizes = {
            "localgov": per_permit(before["localgov"], usage(files["localgov"], "lg_"), done["localgov"]),
            "spiff-kept": per_permit(before["spiff-kept"], usage(files["spiff-kept"], "peer_"), done["spiff-kept"]),
            "spiff-loaded": per_permit(
                before["spiff-loaded"], usage(files["spiff-loaded"], "peer_"), done["spiff-loaded"]
            ),
        }

    print(
        f"SQLite file, WAL, synchronous={setting}: {permits} permits ({steps:,} steps) per round, {rounds} rounds, median (range)"
    )
    labels = {
        "localgov": "localgov engine",
        "spiff-kept": "SpiffWorkflow, kept in memory, saved each step",
        "spiff-loaded": "SpiffWorkflow, loaded and saved each step",
        "raw": "raw one-row insert + commit",
    }
    for name, label in labels.items():
        rates = measured[name]
        per_step = [1e6 / r for r in rates]
        print(f"  {label:<48} {spread(rates):>24} steps/s   {spread(per_step, ',.1f'):>24} µs/step")
    for name in ("spiff-kept", "spiff-loaded"):
        ratios = [a / b for a, b in zip(measured["localgov"], measured[name], strict=True)]
        print(
            f"  ratio localgov / {labels[name]}: {statistics.median(ratios):.2f}x "
            f"(rounds {min(ratios):.2f}-{max(ratios):.2f}; of the medians {statistics.median(measured['localgov']) / statistics.median(measured[name]):.2f}x)"
        )
    ratios = [a / b for a, b in zip(measured["localgov"], measured["raw"], strict=True)]
    print(f"  localgov / raw commits: {statistics.median(ratios):.0%} (rounds {min(ratios):.0%}-{max(ratios):.0%})")
    print("  database bytes per finished permit: the rows' and index entries' payload / the file's growth")
    for name in ("localgov", "spiff-kept"):
        size = sizes[name]
        label = "localgov" if name == "localgov" else "SpiffWorkflow"
        tables = ", ".join(f"{k} {v:,.0f}" for k, v in size.items() if k not in ("payload", "file") and round(v))
        print(f"    {label:<14} {size['payload']:>9,.0f} / {size['file']:>9,.0f}   ({tables})")
    print(
        f"    ratio SpiffWorkflow / localgov: {sizes['spiff-kept']['payload'] / sizes['localgov']['payload']:.2f}x payload, "
        f"{sizes['spiff-kept']['file'] / sizes['localgov']['file']:.2f}x file; "
        f"a finished permit's serialized workflow is {state_bytes:,.0f} bytes, {spec_bytes:,} of them its process spec; "
        f"loaded-mode file {sizes['spiff-loaded']['file']:,.0f} bytes a permit"
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="a small run (20 permits a round, 3 rounds)")
    parser.add_argument("--permits", type=int, help="permits per round (default 100)")
    parser.add_argument("--rounds", type=int, help="rounds (default 5)")
    parser.add_argument(
        "--setting",
        choices=["FULL", "NORMAL"],
        action="append",
        help="only this synchronous setting",
    )
    options = parser.parse_args(argv)
    permits = options.permits or (20 if options.quick else 100)
    rounds = options.rounds or (3 if options.quick else 5)
    app = Localgov(plugins=["cairo"])
    _ = app.catalogue, app.organisation  # load before timing anything
    print(f"machine: {machine()}, SpiffWorkflow {SPIFF_VERSION}")
    print(f"one building permit = {STEPS_PER_PERMIT} steps, each its own committed transaction")
    for setting in options.setting or ["FULL", "NORMAL"]:
        run_setting(app, durable=setting == "FULL", permits=permits, rounds=rounds)


if __name__ == "__main__":
    main()
