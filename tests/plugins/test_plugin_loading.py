"""Plugins load explicitly and lazily, from entry points, narrowed by LOCALGOV_PLUGINS."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from localgov import hookimpl
from localgov.app import Localgov
from localgov.plugins import ENV_VAR, PluginError, Plugins


@pytest.fixture
def installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Install two throwaway plugin distributions (dist-info + module) on sys.path."""
    for name, body in {
        "alpha": """
            from localgov import hookimpl
            CALLS = []
            @hookimpl
            def register_channels(register):
                from localgov.catalogue import Channel
                from localgov.i18n import LocalizedText
                register(Channel("alpha_kiosk", LocalizedText("كشك ألفا", "Alpha kiosk")))
        """,
        "beta": """
            from localgov import hookimpl
            @hookimpl
            def register_notifiers(register):
                pass
        """,
    }.items():
        (tmp_path / f"lgtest_{name}.py").write_text(textwrap.dedent(body), encoding="utf-8")
        dist = tmp_path / f"lgtest_{name}-1.2.3.dist-info"
        dist.mkdir()
        (dist / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: lgtest-{name}\nVersion: 1.2.3\n", encoding="utf-8"
        )
        (dist / "entry_points.txt").write_text(f"[localgov]\n{name} = lgtest_{name}\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delenv(ENV_VAR, raising=False)
    yield tmp_path
    for name in ("lgtest_alpha", "lgtest_beta"):
        sys.modules.pop(name, None)


def names(plugins: Plugins) -> set[str]:
    return {info.name for info in plugins.info() if not info.builtin}


def test_nothing_is_imported_until_first_use(installed: Path) -> None:
    plugins = Plugins(["alpha"])
    assert "lgtest_alpha" not in sys.modules
    plugins.info()
    assert "lgtest_alpha" in sys.modules


def test_the_application_chooses_which_plugins_load(installed: Path) -> None:
    assert {"alpha", "beta"} <= names(Plugins(None))
    assert names(Plugins(["beta"])) == {"beta"}
    assert names(Plugins([])) == set()


def test_the_environment_variable_narrows_the_choice(installed: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_VAR, "alpha")
    assert names(Plugins(None)) & {"alpha", "beta"} == {"alpha"}
    monkeypatch.setenv(ENV_VAR, "")
    assert names(Plugins(None)) == set()


def test_info_reports_distribution_version_and_hooks(installed: Path) -> None:
    (info,) = [i for i in Plugins(["alpha"]).info() if i.name == "alpha"]
    assert (info.distribution, info.version, info.hooks) == ("lgtest-alpha", "1.2.3", ("register_channels",))


def test_builtin_behaviour_is_a_default_plugin() -> None:
    builtin = [i for i in Plugins([]).info() if i.builtin]
    assert [i.name for i in builtin] == ["localgov.plugins.builtin"]
    assert "register_catalogue" in builtin[0].hooks


def test_an_unknown_plugin_name_is_refused(installed: Path) -> None:
    with pytest.raises(PluginError, match="plugin 'gamma' is not installed"):
        Plugins(["gamma"]).info()


def test_a_plugin_that_fails_to_import_is_reported(installed: Path) -> None:
    (installed / "lgtest_alpha.py").write_text("raise RuntimeError('broken on purpose')\n", encoding="utf-8")
    with pytest.raises(PluginError, match="plugin 'alpha' .* failed to import: broken on purpose"):
        Plugins(["alpha"]).info()


def test_a_hookimpl_that_names_no_known_hook_fails_at_start_up() -> None:
    class Misspelled:
        @hookimpl
        def register_service(self, register: object) -> None:  # the hook is register_services
            pass

    with pytest.raises(PluginError, match="unknown hook.*register_service"):
        Plugins([], objects=[Misspelled()]).info()


def test_a_hookimpl_with_an_argument_the_spec_lacks_fails_at_start_up() -> None:
    class WrongArgs:
        @hookimpl
        def register_services(self, register: object, colour: object) -> None:
            pass

    with pytest.raises(PluginError, match="cannot be registered"):
        Plugins([], objects=[WrongArgs()]).info()


def test_an_entry_point_plugin_contributes_to_the_catalogue(installed: Path) -> None:
    assert "alpha_kiosk" in Localgov(["alpha"]).catalogue.channels
    assert "alpha_kiosk" not in Localgov([]).catalogue.channels
