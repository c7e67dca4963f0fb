"""The plugin installs, loads by its entry-point name and registers every file it ships."""

from __future__ import annotations

from importlib.metadata import distribution
from importlib.resources import files
from importlib.resources.abc import Traversable

import localgov_cairo

from localgov.app import Localgov
from localgov.catalogue import Catalogue


def test_loads_by_entry_point_name(cairo_app: Localgov) -> None:
    loaded = {info.name: info for info in cairo_app.plugins.info()}
    cairo = loaded["cairo"]
    assert cairo.distribution == "localgov-cairo"
    assert cairo.version == distribution("localgov-cairo").version
    assert not cairo.builtin
    assert set(cairo.hooks) == {"register_catalogue", "register_organisation", "document_branding"}


def test_depends_on_exactly_this_localgov() -> None:
    requirements = distribution("localgov-cairo").requires or []
    assert f"localgov=={distribution('localgov').version}" in requirements


def test_without_the_plugin_there_is_no_cairo(catalogue: Catalogue, core_catalogue: Catalogue) -> None:
    # Only the national services, with no governorate's overrides, are in the core.
    assert set(core_catalogue.services) == {"building_permit", "site_validity_statement"}
    assert not core_catalogue.overrides
    assert "burial_allocation" not in core_catalogue.workflows
    assert "C" not in Localgov(plugins=[]).organisation
    assert len(catalogue.services) >= 10


def _toml_files(folder: Traversable) -> set[str]:
    found = set()
    for child in folder.iterdir():
        if child.is_dir():
            found |= {f"{child.name}/{name}" for name in _toml_files(child)}
        elif child.name.endswith(".toml"):
            found.add(child.name)
    return found


def test_every_shipped_file_is_registered_once() -> None:
    shipped = _toml_files(localgov_cairo.DATA)
    registered: list[str] = []
    for source in (*localgov_cairo.CATALOGUE_SOURCES, *localgov_cairo.ORGANISATION_SOURCES):
        if source.is_dir():
            registered += [f"{source.name}/{name}" for name in _toml_files(source)]
        else:
            registered.append(source.name)
    assert sorted(registered) == sorted(shipped)
    assert len(set(registered)) == len(registered)
    assert "services/building.toml" in shipped


def test_package_is_typed() -> None:
    assert files("localgov_cairo").joinpath("py.typed").is_file()
