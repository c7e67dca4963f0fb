"""What a request's history says its record holds, to name the fields an edit changed.

The seal (:mod:`localgov.requests.seal`) proves that a record is as the engine wrote it; when it
is not, the auditor wants to know what was changed. Every event carries the facts its decision
settled (the submission its applicant, form and documents; a fee assessment its lines; a payment
or a refund its amount; the issue its number) and each decision who holds the request next. Folding the
events gives those facts as the history has them, and each stored field that disagrees is named
with both values.

The fold reads only what the events say; it does not re-run the workflow, so it stays true when
the catalogue has changed since. Fields no event carries (line names, the access code) are
covered by the seal alone.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from localgov.requests.ports import EventRow

__all__ = ["expected_facts", "record_differences"]

_SUBMITTED = ("channel", "service_point", "service", "applicant", "form")


def expected_facts(events: Sequence[EventRow]) -> dict[str, Any]:
    """The facts of the record that ``events`` leave behind, by dotted field path."""
    facts: dict[str, Any] = {}
    documents: list[Mapping[str, Any]] = []
    payments: list[Mapping[str, Any]] = []
    refunds: list[Mapping[str, Any]] = []
    originals: list[Mapping[str, Any]] = []
    for event in events:
        data = event.data
        if event.action == "submit":
            for name in _SUBMITTED:
                if name in data:
                    facts.update(_flatten(name, data[name]))
            documents.extend(data.get("documents", ()))
            if "assigned_to" in data:
                facts["assigned_to"] = data["assigned_to"]
        changes = data.get("changes", {})
        documents.extend(changes.get("documents", ()))
        if "assigned_to" in changes:
            facts["assigned_to"] = changes["assigned_to"]
        if "invoice" in changes:
            invoice = changes["invoice"]
            facts = {k: v for k, v in facts.items() if not k.startswith("invoice.")}
            for index, line in enumerate(invoice.get("lines", ())):
                facts[f"invoice.lines[{index}].rule"] = line.get("rule")
                facts[f"invoice.lines[{index}].amount"] = _amount(line.get("amount"))
            facts["invoice.total"] = _amount(invoice.get("total"))
        if "payment" in changes:
            payments.append(changes["payment"])
        if "refund" in changes:
            refunds.append(changes["refund"])
        if "originals" in changes:
            originals.append({**changes["originals"], "by": event.actor})
        if "issued" in changes:
            facts.update(_flatten("issued", changes["issued"]))
        facts["state"] = event.to_state
    for index, document in enumerate(documents):
        facts[f"documents[{index}].type"] = document.get("type")
        facts[f"documents[{index}].sha256"] = document.get("sha256")
    facts["documents.count"] = len(documents)
    for index, payment in enumerate(payments):
        facts[f"payments[{index}].provider"] = payment.get("provider")
        facts[f"payments[{index}].reference"] = payment.get("reference")
        facts[f"payments[{index}].amount"] = _amount(payment.get("amount"))
    facts["payments.count"] = len(payments)
    facts.update(_refund_facts(refunds))
    facts.update(_originals_facts(originals))
    return facts


def _originals_facts(movements: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    facts: dict[str, Any] = {}
    for index, movement in enumerate(movements):
        facts[f"originals[{index}].item"] = movement.get("item")
        facts[f"originals[{index}].status"] = movement.get("status")
        facts[f"originals[{index}].by"] = movement.get("by")
    facts["originals.count"] = len(movements)
    return facts


def _refund_facts(refunds: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    facts: dict[str, Any] = {}
    for index, refund in enumerate(refunds):
        facts[f"refunds[{index}].provider"] = refund.get("provider")
        facts[f"refunds[{index}].reference"] = refund.get("reference")
        facts[f"refunds[{index}].amount"] = _amount(refund.get("amount"))
        facts[f"refunds[{index}].refund_reference"] = refund.get("refund_reference")
    facts["refunds.count"] = len(refunds)
    return facts


def record_differences(record: Mapping[str, Any], events: Sequence[EventRow]) -> list[str]:
    """One sentence for each field of ``record`` that disagrees with what its history says."""
    try:
        stored = _stored_facts(record)
    except (AttributeError, TypeError):  # a list where a mapping belongs, and the like
        return ["the stored record does not have the shape of a request (edited)"]
    try:
        history = expected_facts(events)
    except (AttributeError, TypeError):  # an edited event: the chain has reported it already
        return ["the history's events do not have the shape localgov writes (edited)"]
    findings = []
    for path, expected in history.items():
        found = stored.get(path)
        if found != expected:
            findings.append(f"the record's {path} is {_shown(found)} but its history says {_shown(expected)}")
    return findings


def _shown(value: Any) -> str:
    return repr(str(value)) if isinstance(value, Decimal) else repr(value)


def _stored_facts(record: Mapping[str, Any]) -> dict[str, Any]:
    if not isinstance(record, Mapping):
        raise TypeError("a record is a JSON object")
    facts: dict[str, Any] = {"state": record.get("state"), "assigned_to": record.get("assigned_to")}
    for name in _SUBMITTED:
        if name in record:
            facts.update(_flatten(name, record[name]))
    invoice = record.get("invoice")
    if isinstance(invoice, Mapping):
        lines = invoice.get("lines", ())
        total = Decimal(0)
        for index, line in enumerate(lines):
            amount = _amount(line.get("amount"))
            facts[f"invoice.lines[{index}].rule"] = line.get("rule")
            facts[f"invoice.lines[{index}].amount"] = amount
            total += amount if isinstance(amount, Decimal) else Decimal(0)
        facts["invoice.total"] = total
    documents = record.get("documents") or ()
    for index, document in enumerate(documents):
        facts[f"documents[{index}].type"] = document.get("type")
        facts[f"documents[{index}].sha256"] = document.get("sha256")
    facts["documents.count"] = len(documents)
    payments = record.get("payments") or ()
    for index, payment in enumerate(payments):
        facts[f"payments[{index}].provider"] = payment.get("provider")
        facts[f"payments[{index}].reference"] = payment.get("reference")
        facts[f"payments[{index}].amount"] = _amount(payment.get("amount"))
    facts["payments.count"] = len(payments)
    facts.update(_refund_facts(record.get("refunds") or ()))
    facts.update(_originals_facts(record.get("originals") or ()))
    if record.get("issued") is not None:
        facts.update(_flatten("issued", record["issued"]))
    return facts


def _flatten(prefix: str, value: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from _flatten(f"{prefix}.{key}", item)
    else:
        yield prefix, value


def _amount(value: Any) -> Any:
    # Amounts compare as numbers: "25000.00" and "25000.0" are the same fee.
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return value
