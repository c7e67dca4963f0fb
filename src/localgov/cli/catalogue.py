"""``localgov services`` and ``localgov catalogue``: read and check the unified guide."""

from __future__ import annotations

from pathlib import Path

import click

from localgov.app import Localgov
from localgov.catalogue import Catalogue, CatalogueError, Problem, ServiceDefinition
from localgov.catalogue.sources import expand_sources, read_toml
from localgov.cli.common import LanguageChoice, application, language_option, say

__all__ = ["COMMANDS"]


@click.group()
def services() -> None:
    """List and show the services of the catalogue (الخدمات)."""


@services.command("list")
@language_option
@click.pass_context
def list_services(ctx: click.Context, language: LanguageChoice) -> None:
    """Every service: code, name, category, time limit and workflow."""
    catalogue = application(ctx).catalogue
    for service in sorted(catalogue.services.values(), key=lambda s: (s.category, s.code)):
        category = catalogue.categories[service.category]
        click.echo(
            f"{service.code:32} {say(service.name, language)}\n"
            f"{'':32} {say(category.name, language)} · {service.time_limit_days} "
            f"{_days(language)} · {service.workflow}"
        )


def _days(language: LanguageChoice) -> str:
    return {"ar": "يوم عمل", "en": "working days", "both": "يوم عمل / working days"}[language]


@services.command("show")
@click.argument("code")
@click.option(
    "--governorate",
    metavar="CODE",
    help="Show the service as this governorate offers it (its overrides of the national definition).",
)
@language_option
@click.pass_context
def show_service(ctx: click.Context, code: str, governorate: str | None, language: LanguageChoice) -> None:
    """One service in full: form, documents, fees, time limit and procedure."""
    catalogue = application(ctx).catalogue
    service = catalogue.service(code, governorate)
    for line in _describe(service, catalogue, language):
        click.echo(line)


def _describe(service: ServiceDefinition, catalogue: Catalogue, language: LanguageChoice) -> list[str]:
    marked = set(service.placeholders)

    def flag(attribute: str) -> str:
        return " [placeholder: to be set by the governorate]" if attribute in marked else ""

    lines = [
        say(service.name, language),
        say(service.description, language),
        "",
        f"code: {service.code}",
        f"category: {say(catalogue.categories[service.category].name, language)}",
        f"department: {say(catalogue.departments[service.department].name, language)}",
        f"workflow: {service.workflow} ({say(catalogue.workflows[service.workflow].name, language)})",
        f"time limit: {service.time_limit_days} {_days(language)}{flag('time_limit_days')}",
        "channels: " + ", ".join(say(catalogue.channels[c].name, language) for c in service.channels),
        f"issues: {service.issues.kind.value}"
        + (f", valid {_validity(service)}" if service.issues.validity else "")
        + flag("issues"),
    ]
    if service.steps:
        lines += ["", "procedure:"]
        lines += [f"  {i}. {say(step, language)}" for i, step in enumerate(service.steps, 1)]  # type: ignore[arg-type]
    if service.fields:
        lines += ["", "form fields:"]
        for form_field in service.fields:
            required = "required" if form_field.required else "optional"
            lines.append(
                f"  {form_field.name} ({form_field.type.value}, {required}): {say(form_field.label, language)}"
            )
    if service.documents:
        lines += ["", "documents:"]
        for requirement in service.documents:
            document = catalogue.document_types[requirement.type]
            condition = ""
            if requirement.when is not None:
                condition = f" — when {requirement.when.field} is {' or '.join(requirement.when.equals)}"
            elif not requirement.mandatory:
                condition = " — optional"
            lines.append(f"  {say(document.name, language)}{condition}")
    if service.fees:
        lines += ["", "fees:" + flag("fees")]
        for fee in service.fees:
            rule = catalogue.fee_rules[fee.rule]
            note = " [placeholder amount]" if rule.placeholder else ""
            lines.append(f"  {say(rule.name, language)} ({rule.kind.value}, revenue item {rule.revenue_item}){note}")
    if service.sources:
        lines += ["", "sources:"] + [f"  {source}" for source in service.sources]
    return lines


def _validity(service: ServiceDefinition) -> str:
    v = service.issues.validity
    assert v is not None
    parts = [(v.years, "year"), (v.months, "month"), (v.days, "day")]
    return " ".join(f"{n} {unit}{'s' if n != 1 else ''}" for n, unit in parts if n)


@click.group()
def catalogue() -> None:
    """Check catalogue files (الدليل الموحد)."""


@catalogue.command("check")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--with-plugins/--core-only",
    default=False,
    help="Check the files together with every installed plugin's catalogue, not only localgov's core.",
)
def check(paths: tuple[Path, ...], with_plugins: bool) -> None:
    """Validate catalogue and organisation files; list every problem with file, path and value.

    A file with a top-level ``governorate`` key is read as an organisation file. Exit status 0 when
    everything is valid, 2 when any problem is found.
    """
    catalogue_files, organisation_files = _split(paths)
    app = Localgov(plugins=None if with_plugins else [], catalogue=catalogue_files, organisation=organisation_files)
    problems: list[Problem] = []
    loaded = None
    try:
        loaded = app.catalogue
    except CatalogueError as error:
        problems += error.problems
    try:
        organisation = app.organisation
    except CatalogueError as error:
        problems += error.problems
        organisation = {}
    if problems:
        for problem in problems:
            click.echo(str(problem), err=True)
        click.echo(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} found", err=True)
        raise SystemExit(2)
    assert loaded is not None
    click.echo(
        f"ok: {len(loaded.services)} services, {len(loaded.fee_rules)} fee rules, {len(loaded.workflows)} workflows"
    )
    for code, overridden in sorted(loaded.overrides.items()):
        click.echo(f"ok: governorate {code} overrides {', '.join(sorted(overridden))}")
    for governorate in organisation.values():
        click.echo(
            f"ok: {governorate.name.en}: {len(governorate.zones)} zones, {len(governorate.units)} local units, "
            f"{len(governorate.service_points)} service points"
        )
    placeholders = loaded.placeholders()
    if placeholders:
        click.echo(f"{len(placeholders)} figures are placeholders the governorate must set:")
        for where, what in placeholders:
            click.echo(f"  {where}: {what}")


def _split(paths: tuple[Path, ...]) -> tuple[list[Path], list[Path]]:
    """Catalogue files and organisation files (those with a top-level ``governorate`` key)."""
    catalogue_files: list[Path] = []
    organisation_files: list[Path] = []
    for source in expand_sources(paths):
        assert isinstance(source, Path)
        document, _ = read_toml(source)
        (organisation_files if document is not None and "governorate" in document else catalogue_files).append(source)
    return catalogue_files, organisation_files


COMMANDS = (services, catalogue)
