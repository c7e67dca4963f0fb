"""Checks across entries: every reference resolves and every definition is coherent.

Structuring (:mod:`localgov.catalogue.loading`) checks each entry on its own; the checks here need
the whole catalogue, e.g. that a service's fee rule exists and that the form field it is computed
from is numeric. Each check yields problems; none stops at the first.

Why one module of over 400 lines: a governorate's override is checked by running the service
check on the merged definition, and the fee-rule check runs over both kinds of definition; kept
together, every check shares one ``_missing`` wording and one path convention.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Mapping
from typing import Any

import attrs

from localgov.catalogue.loading import CODE_PATTERN, OVERRIDES, Located, ParsedEntries
from localgov.catalogue.messages import template_problems
from localgov.catalogue.model import (
    OVERRIDABLE,
    Channel,
    Condition,
    FeeRule,
    FeeRuleKind,
    FieldType,
    ServiceDefinition,
    ServiceOverride,
    WorkflowDefinition,
)
from localgov.catalogue.problems import Problem, describe_value

__all__ = ["EFFECTS", "INTAKE", "RETURN", "check_entries"]

NUMERIC_FIELDS = frozenset({FieldType.NUMBER, FieldType.MONEY, FieldType.AREA})
CHOICE_FIELDS = frozenset({FieldType.CHOICE, FieldType.MULTI_CHOICE})
CLOCK_MODES = ("running", "paused")
# The duty the submission itself performs; no action needs to declare it.
INTAKE = "intake"
# What an action can make the engine do besides moving the request.
EFFECTS = frozenset({"assess_fees"})
# An action whose destination is the state the request was sent from (a missing-document loop).
RETURN = "@return"
PLACEHOLDER_TARGETS = frozenset(
    a.name for a in attrs.fields(ServiceDefinition) if a.name not in {"code", "placeholders", "sources", "incomplete"}
)


def check_entries(
    entries: ParsedEntries,
    known_guards: Collection[str],
    broken: Collection[tuple[str, str]] = (),
    known_governorates: Collection[str] | None = None,
) -> Iterator[Problem]:
    """Yield every cross-entry problem; references to ``broken`` entries (already reported) pass.

    ``known_governorates`` are the codes an override may name (any ISO-like code when ``None``).
    """
    for located in entries["services"].values():
        yield from _check_service(located, entries, broken)
        yield from _check_offered_in(located, known_governorates)
    for located in entries.get(OVERRIDES, {}).values():
        yield from _check_override(located, entries, broken, known_governorates)
    for located in entries["fee_rules"].values():
        yield from _check_fee_rule(located, entries)
    for located in entries["workflows"].values():
        yield from _check_workflow(located, entries, known_guards)
    for located in entries["channels"].values():
        yield from _check_channel(located, entries, broken)
    for located in entries["messages"].values():
        template = located.value
        for found in template_problems(template.code, template.text):
            yield Problem(located.source, _join_path(located.path, found.where), found.message)


def _check_channel(
    located: Located[Channel], entries: ParsedEntries, broken: Collection[tuple[str, str]]
) -> Iterator[Problem]:
    channel, source, path = located.value, located.source, located.path
    if channel.clerk_role is not None and not (
        channel.clerk_role in entries["roles"] or ("roles", channel.clerk_role) in broken
    ):
        yield Problem(source, f"{path}.clerk_role", _missing("roles", entries, channel.clerk_role))
    if channel.clerk_role is None and channel.service_point is not None:
        yield Problem(source, f"{path}.clerk_role", "a channel at a service point needs the role of its clerk")
    if not channel.receipt:
        yield Problem(source, f"{path}.receipt", "at least one way to hand over the receipt is needed")
    for index, code in enumerate(channel.services):
        if code not in entries["services"] and ("services", code) not in broken:
            yield Problem(source, f"{path}.services[{index}]", _missing("services", entries, code))


SINGULAR = {
    "categories": "category",
    "departments": "department",
    "roles": "role",
    "channels": "channel",
    "document_types": "document type",
    "fee_rules": "fee rule",
    "workflows": "workflow",
    "services": "service",
    "messages": "message",
}


def _join_path(path: str, key: str) -> str:
    return f"{path}.{key}" if key else path


def _missing(section: str, entries: ParsedEntries, code: str) -> str:
    known = ", ".join(sorted(entries[section])) or "none defined"
    return f"unknown {SINGULAR[section]} {describe_value(code)} (known: {known})"


def _check_service(
    located: Located[ServiceDefinition], entries: ParsedEntries, broken: Collection[tuple[str, str]]
) -> Iterator[Problem]:
    service, source, path = located.value, located.source, located.path

    def known(section: str, code: str) -> bool:
        return code in entries[section] or (section, code) in broken

    def problem(where: str, message: str) -> Problem:
        return Problem(source, f"{path}.{where}", message)

    # Attributes left out because malformed (already reported) are not checked again.
    skip = service.incomplete
    for key, section in (("category", "categories"), ("department", "departments"), ("workflow", "workflows")):
        code = getattr(service, key)
        if key not in skip and not known(section, code):
            yield problem(key, _missing(section, entries, code))
    for index, channel in enumerate(service.channels):
        if not known("channels", channel):
            yield problem(f"channels[{index}]", _missing("channels", entries, channel))
        elif channel in entries["channels"] and not entries["channels"][channel].value.takes(service.code):
            yield problem(
                f"channels[{index}]",
                f"channel {describe_value(channel)} does not take this service (its services: "
                f"{', '.join(entries['channels'][channel].value.services)})",
            )
    if not service.channels and "channels" not in skip:
        yield problem("channels", "at least one channel is needed")
    if service.time_limit_days <= 0:
        yield problem("time_limit_days", f"must be at least 1 working day, got {service.time_limit_days}")
    if service.issues.validity is not None and "issues" not in skip:
        v = service.issues.validity
        if min(v.years, v.months, v.days) < 0 or (v.years, v.months, v.days) == (0, 0, 0):
            yield problem("issues.validity", "must be a positive duration (years, months, days)")

    fields: dict[str, Any] = {}
    for index, form_field in enumerate(service.fields):
        where = f"fields[{index}]"
        if form_field.name in fields:
            yield problem(f"{where}.name", f"duplicate field name {describe_value(form_field.name)}")
        fields[form_field.name] = form_field
        has_choices = bool(form_field.choices)
        if form_field.type in CHOICE_FIELDS and not has_choices:
            yield problem(f"{where}.choices", f"a {form_field.type.value} field needs choices")
        if form_field.type not in CHOICE_FIELDS and has_choices:
            yield problem(f"{where}.choices", f"only choice fields take choices, not {form_field.type.value}")
        values = [c.value for c in form_field.choices]
        if len(set(values)) != len(values):
            yield problem(f"{where}.choices", "duplicate choice values")
        if (form_field.minimum is not None or form_field.maximum is not None) and form_field.type not in NUMERIC_FIELDS:
            yield problem(where, f"minimum/maximum apply to numeric fields, not {form_field.type.value}")
        if (
            form_field.minimum is not None
            and form_field.maximum is not None
            and form_field.minimum > form_field.maximum
        ):
            yield problem(f"{where}.minimum", f"{form_field.minimum} is above maximum {form_field.maximum}")

    # Without its fields (left out because malformed), a service's conditions cannot be checked.
    fields_known = "fields" not in service.incomplete

    for index, requirement in enumerate(service.documents):
        where = f"documents[{index}]"
        document_type = entries["document_types"].get(requirement.type)
        if document_type is None and not known("document_types", requirement.type):
            yield problem(f"{where}.type", _missing("document_types", entries, requirement.type))
        elif document_type is not None and requirement.accepted_types is not None:
            extra = sorted(set(requirement.accepted_types) - set(document_type.value.accepted_types))
            if extra:
                yield problem(
                    f"{where}.accepted_types",
                    f"{', '.join(extra)} not accepted by document type {requirement.type!r}",
                )
        if requirement.max_size_mb is not None and requirement.max_size_mb <= 0:
            yield problem(f"{where}.max_size_mb", f"must be above 0, got {requirement.max_size_mb}")
        if requirement.when is not None:
            if requirement.mandatory is False:
                yield problem(
                    f"{where}.when",
                    "a conditional document is required when its condition holds; drop mandatory = false",
                )
            if fields_known:
                yield from _check_condition(requirement.when, fields, problem, f"{where}.when")

    for index, fee in enumerate(service.fees):
        where = f"fees[{index}]"
        rule = entries["fee_rules"].get(fee.rule)
        if rule is None and not known("fee_rules", fee.rule):
            yield problem(f"{where}.rule", _missing("fee_rules", entries, fee.rule))
        elif rule is not None and isinstance(rule.value, FeeRule) and rule.value.basis is not None and fields_known:
            basis = fields.get(rule.value.basis)
            if basis is None or basis.type not in NUMERIC_FIELDS:
                yield problem(
                    f"{where}.rule",
                    f"fee rule {fee.rule!r} is computed from field {rule.value.basis!r}, "
                    "which this service lacks or which is not numeric",
                )
        if fee.when is not None and fields_known:
            yield from _check_condition(fee.when, fields, problem, f"{where}.when")

    for index, figure in enumerate(service.issues.figures):
        if fields_known and figure not in fields:
            yield problem(
                f"issues.figures[{index}]",
                f"unknown field {describe_value(figure)} (fields: {', '.join(fields) or 'none'})",
            )

    for kind, text in service.messages.items():
        for found in template_problems(kind, text):
            yield problem(_join_path(f"messages.{kind}", found.where), found.message)

    for index, target in enumerate(service.placeholders):
        if target not in PLACEHOLDER_TARGETS:
            yield problem(
                f"placeholders[{index}]",
                f"{describe_value(target)} is not a service attribute (one of {', '.join(sorted(PLACEHOLDER_TARGETS))})",
            )


GOVERNORATE_CODE = re.compile(r"[A-Z]{1,3}")


def _governorate_problem(code: str, known_governorates: Collection[str] | None) -> str | None:
    if known_governorates is not None and code not in known_governorates:
        return f'unknown governorate {describe_value(code)} (an ISO 3166-2:EG code such as "C" or "KB")'
    if not GOVERNORATE_CODE.fullmatch(code):
        return f'expected an ISO 3166-2:EG governorate code ("C", "KB"), got {describe_value(code)}'
    return None


def _check_offered_in(
    located: Located[ServiceDefinition], known_governorates: Collection[str] | None
) -> Iterator[Problem]:
    for index, code in enumerate(located.value.governorates):
        reason = _governorate_problem(code, known_governorates)
        if reason is not None:
            yield Problem(located.source, f"{located.path}.governorates[{index}]", reason)


def _check_override(
    located: Located[ServiceOverride],
    entries: ParsedEntries,
    broken: Collection[tuple[str, str]],
    known_governorates: Collection[str] | None,
) -> Iterator[Problem]:
    """An override must name a governorate and a service that exist, replace something, and leave
    the service coherent; what it did not replace was checked with the national definition."""
    override, source, path = located.value, located.source, located.path
    reason = _governorate_problem(override.governorate, known_governorates)
    if reason is not None:
        yield Problem(source, f"{path}.governorate", reason)
    if not override.replaced:
        yield Problem(source, path, f"replaces nothing: give one of {', '.join(OVERRIDABLE)}")
    national = entries["services"].get(override.service)
    if national is None:
        if ("services", override.service) not in broken:
            yield Problem(source, f"{path}.service", _missing("services", entries, override.service))
        return
    if not national.value.offered_in(override.governorate):
        offered = ", ".join(national.value.governorates)
        yield Problem(
            source,
            f"{path}.governorate",
            f"service {override.service!r} is not offered in {override.governorate!r} (only in {offered}):"
            " a governorate overrides a service it offers",
        )
    merged = Located(override.apply(national.value), source, path)
    checked = (*override.replaced, "placeholders")
    for found in _check_service(merged, entries, broken):
        where = found.path.removeprefix(f"{path}.")
        if any(where == name or where.startswith((f"{name}.", f"{name}[")) for name in checked):
            yield found


def _check_condition(condition: Condition, fields: Mapping[str, Any], problem: Any, where: str) -> Iterator[Problem]:
    form_field = fields.get(condition.field)
    if form_field is None:
        yield problem(
            f"{where}.field", f"unknown field {describe_value(condition.field)} (fields: {', '.join(fields) or 'none'})"
        )
        return
    if form_field.choices:
        values = {c.value for c in form_field.choices}
        for index, value in enumerate(condition.equals):
            if value not in values:
                yield problem(
                    f"{where}.equals[{index}]", f"{describe_value(value)} is not a choice of {condition.field!r}"
                )


def _check_fee_rule(located: Located[FeeRule], entries: ParsedEntries | None = None) -> Iterator[Problem]:
    """Check one fee rule; given ``entries``, also check it against each service that uses it."""
    rule, source, path = located.value, located.source, located.path

    def problem(where: str, message: str) -> Problem:
        return Problem(source, f"{path}.{where}", message)

    needs: dict[FeeRuleKind, tuple[str, ...]] = {
        FeeRuleKind.FIXED: ("amount",),
        FeeRuleKind.PER_UNIT: ("rate", "basis"),
        FeeRuleKind.TIERED: ("tiers", "basis"),
        FeeRuleKind.PERCENTAGE: ("rate", "basis"),
    }
    for key in needs[rule.kind]:
        value = getattr(rule, key)
        if value is None or value == ():  # a zero amount is a free service, not a missing one
            yield problem(key, f"required for a {rule.kind.value} fee rule")
    for key in ("amount", "rate", "minimum", "maximum"):
        value = getattr(rule, key)
        if value is not None and value < 0:
            yield problem(key, f"must not be negative, got {value}")
        # Amounts are what a cashier collects: whole piastres (rates may be finer).
        if key != "rate" and value is not None and value % 1 * 100 % 1 != 0:
            yield problem(key, f"must be in whole piastres (at most two decimals), got {value}")
    if rule.minimum is not None and rule.maximum is not None and rule.minimum > rule.maximum:
        yield problem("minimum", f"{rule.minimum} is above maximum {rule.maximum}")
    if rule.tiers and rule.kind is not FeeRuleKind.TIERED:
        yield problem("tiers", f"only tiered fee rules take tiers, not {rule.kind.value}")
    if rule.tiers:
        for index, tier in enumerate(rule.tiers):
            if tier.rate < 0:
                yield problem(f"tiers[{index}].rate", f"must not be negative, got {tier.rate}")
            if tier.up_to is not None and tier.up_to <= 0:
                yield problem(f"tiers[{index}].up_to", f"must be above 0, got {tier.up_to}")
        bounds = [t.up_to for t in rule.tiers]
        if bounds[-1] is not None:
            yield problem(f"tiers[{len(bounds) - 1}].up_to", "the last tier must be open-ended (no up_to)")
        closed = [b for b in bounds[:-1] if b is not None]
        if len(closed) != len(bounds) - 1:
            yield problem("tiers", "only the last tier may be open-ended")
        elif closed != sorted(closed) or len(set(closed)) != len(closed):
            yield problem("tiers", "up_to bounds must increase")
    penalty = rule.late_penalty
    if penalty is not None:
        if penalty.rate < 0:
            yield problem("late_penalty.rate", f"must not be negative, got {penalty.rate}")
        if (penalty.due_field is None) == (penalty.due_date is None):
            yield problem("late_penalty", "give exactly one of due_field (a date field of the form) or due_date")
        if penalty.grace_days < 0:
            yield problem("late_penalty.grace_days", f"must not be negative, got {penalty.grace_days}")
        if penalty.cap_percent is not None and penalty.cap_percent < 0:
            yield problem("late_penalty.cap_percent", f"must not be negative, got {penalty.cap_percent}")
        if penalty.revenue_item is not None and not penalty.revenue_item.strip():
            yield problem("late_penalty.revenue_item", "must not be blank (leave it out to use the rule's own item)")
    seen: set[str] = set()
    for index, exemption in enumerate(rule.exemptions):
        where = f"exemptions[{index}]"
        if not CODE_PATTERN.fullmatch(exemption.code):
            yield problem(
                f"{where}.code", f"invalid code {describe_value(exemption.code)}: use lower-case letters, digits and _"
            )
        if exemption.code in seen:
            yield problem(f"{where}.code", f"duplicate exemption code {exemption.code!r}")
        seen.add(exemption.code)
        if not 0 < exemption.percent <= 100:
            yield problem(f"{where}.percent", f"must be above 0 and at most 100, got {exemption.percent}")
        if not exemption.when.equals:
            yield problem(f"{where}.when.equals", "at least one value is needed")
    if entries is not None:
        yield from _check_fee_rule_uses(rule, entries, problem)


def _services_using_fees(entries: ParsedEntries) -> Iterator[tuple[str, ServiceDefinition]]:
    """Every service definition whose fees are assessed: the national ones, and each governorate's
    overridden version (an override may bring fee rules the national definition does not use)."""
    for located in entries["services"].values():
        if isinstance(located.value, ServiceDefinition):
            yield repr(located.value.code), located.value
    for located in entries.get(OVERRIDES, {}).values():
        override = located.value
        national = entries["services"].get(override.service)
        if override.fees is not None and national is not None and isinstance(national.value, ServiceDefinition):
            yield (
                f"{override.service!r} (as governorate {override.governorate!r} offers it)",
                override.apply(national.value),
            )


def _check_fee_rule_uses(rule: FeeRule, entries: ParsedEntries, problem: Any) -> Iterator[Problem]:
    """The fields a rule's penalty and exemptions read must exist, with the right type, in each service using it."""
    for label, service in _services_using_fees(entries):
        if "fields" in service.incomplete:
            continue
        if not any(item.rule == rule.code for item in service.fees):
            continue
        fields = {f.name: f for f in service.fields}
        penalty = rule.late_penalty
        if penalty is not None and penalty.due_field is not None:
            due = fields.get(penalty.due_field)
            if due is None or due.type is not FieldType.DATE:
                yield problem(
                    "late_penalty.due_field",
                    f"service {label} has no date field {penalty.due_field!r} to count the delay from",
                )
        for index, exemption in enumerate(rule.exemptions):
            if exemption.when.field not in fields:
                yield problem(
                    f"exemptions[{index}].when.field",
                    f"service {label} has no field {exemption.when.field!r}",
                )
                continue
            choices = {c.value for c in fields[exemption.when.field].choices}
            for value_index, value in enumerate(exemption.when.equals):
                if choices and value not in choices:
                    yield problem(
                        f"exemptions[{index}].when.equals[{value_index}]",
                        f"{describe_value(value)} is not a choice of {exemption.when.field!r} in service {label}",
                    )


def _check_workflow(
    located: Located[WorkflowDefinition], entries: ParsedEntries, known_guards: Collection[str]
) -> Iterator[Problem]:
    workflow, source, path = located.value, located.source, located.path

    def problem(where: str, message: str) -> Problem:
        return Problem(source, f"{path}.{where}", message)

    states = {s.code: s for s in workflow.states}
    if workflow.initial not in states:
        yield problem("initial", f"unknown state {describe_value(workflow.initial)}")
    for state in workflow.states:
        if state.clock not in CLOCK_MODES:
            yield problem(
                f"states.{state.code}.clock",
                f"expected one of {', '.join(CLOCK_MODES)}, got {describe_value(state.clock)}",
            )
        if state.letters_pause_clock and state.final:
            yield problem(f"states.{state.code}.letters_pause_clock", "a final state has no clock to pause")
    duties = {INTAKE}
    leaving: set[str] = set()
    for action in workflow.actions:
        where = f"actions.{action.code}"
        for index, source_state in enumerate(action.sources):
            if source_state not in states:
                yield problem(f"{where}.from[{index}]", f"unknown state {describe_value(source_state)}")
            elif states[source_state].final:
                yield problem(f"{where}.from[{index}]", f"{source_state!r} is final: no action may leave it")
            leaving.add(source_state)
        if not action.sources:
            yield problem(f"{where}.from", "at least one state is needed")
        if action.dest != RETURN and action.dest not in states:
            yield problem(f"{where}.to", f"unknown state {describe_value(action.dest)}")
        for index, role in enumerate(action.roles):
            if role not in entries["roles"]:
                yield problem(f"{where}.roles[{index}]", _missing("roles", entries, role))
        if not action.roles:
            yield problem(f"{where}.roles", "at least one role is needed")
        for index, guard in enumerate(action.guards):
            if guard not in known_guards:
                yield problem(
                    f"{where}.guards[{index}]",
                    f"unknown guard {describe_value(guard)} (known: {', '.join(sorted(known_guards)) or 'none'})",
                )
        for index, effect in enumerate(action.effects):
            if effect not in EFFECTS:
                yield problem(
                    f"{where}.effects[{index}]",
                    f"unknown effect {describe_value(effect)} (known: {', '.join(sorted(EFFECTS))})",
                )
        if action.duty:
            duties.add(action.duty)
    for state in workflow.states:
        if not state.final and state.code not in leaving:
            yield problem(f"states.{state.code}", "not final, but no action leaves it")
    for index, rule in enumerate(workflow.separation_of_duties):
        for duty in (rule.performed, *rule.forbids):
            if duty not in duties:
                yield problem(f"separation_of_duties[{index}]", f"no action performs duty {describe_value(duty)}")
