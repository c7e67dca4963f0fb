"""Message templates in the catalogue: defaults, a service's own wording, and what check reports."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from localgov.app import Localgov
from localgov.catalogue import MESSAGE_KINDS, CatalogueError
from localgov.cli import cli


def test_every_kind_has_a_default_in_both_languages() -> None:
    catalogue = Localgov(plugins=[]).catalogue
    assert set(catalogue.messages) == set(MESSAGE_KINDS)
    for kind in MESSAGE_KINDS:
        text = catalogue.message("nonexistent", kind)
        assert text is not None and text.ar and text.en


def test_a_service_words_its_own_message_and_falls_back_to_the_default(
    write_toml: Callable[..., Path], valid_catalogue: dict[str, Any]
) -> None:
    valid_catalogue["services"]["test_permit"]["messages"] = {
        "issued": {"ar": "رخصتك {number} جاهزة", "en": "Your permit {number} is ready"}
    }
    catalogue = Localgov(plugins=[], catalogue=[write_toml(valid_catalogue)]).catalogue
    assert catalogue.message("test_permit", "issued").en == "Your permit {number} is ready"  # type: ignore[union-attr]
    assert catalogue.message("test_permit", "paid") == catalogue.messages["paid"].text


def test_unknown_placeholders_kinds_and_braces_are_reported_with_file_and_path(
    write_toml: Callable[..., Path], valid_catalogue: dict[str, Any]
) -> None:
    valid_catalogue["services"]["test_permit"]["messages"] = {
        "issued": {"ar": "رخصتك {numbr} جاهزة", "en": "Your permit {number!r} is ready"},
        "celebrated": {"ar": "مبروك", "en": "Congratulations"},
        "paid": {"ar": "دفعت {amount", "en": "Paid {amount}"},
    }
    path = write_toml(valid_catalogue, "cairo/services/building.toml")
    with pytest.raises(CatalogueError) as caught:
        _ = Localgov(plugins=[], catalogue=[path]).catalogue
    problems = [str(p) for p in caught.value.problems]
    assert any(
        p.startswith(f"{path}: services.test_permit.messages.issued.ar: unknown placeholder {{numbr}}")
        and "number" in p
        for p in problems
    ), problems
    assert any("services.test_permit.messages.issued.en: {number}: write the placeholder alone" in p for p in problems)
    assert any("services.test_permit.messages.celebrated: unknown message kind 'celebrated'" in p for p in problems)
    assert any(f"{path}: services.test_permit.messages.paid.ar: " in p and "brace" in p for p in problems), problems


def test_catalogue_check_reports_a_bad_template_without_a_traceback(
    write_toml: Callable[..., Path], valid_catalogue: dict[str, Any]
) -> None:
    valid_catalogue["services"]["test_permit"]["messages"] = {
        "received": {"ar": "استلمنا {trackin}", "en": "Received {tracking}"}
    }
    path = write_toml(valid_catalogue)
    result = CliRunner().invoke(cli, ["catalogue", "check", str(path)])
    assert result.exit_code != 0
    assert "services.test_permit.messages.received.ar: unknown placeholder {trackin}" in result.output
    assert "Traceback" not in result.output
