"""The layers of docs/architecture.md, enforced: no module imports a higher layer or a plugin.

Imports are read from the source (``import`` and ``from ... import``, type-checking blocks
included, since a type is a dependency too), so the test needs no import to succeed.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parents[2] / "src" / "localgov"

# Lower numbers are lower layers. A package may import its own modules and any lower layer.
LAYERS: dict[str, int] = {
    # foundation
    "errors": 0,
    "clock": 0,
    "i18n": 1,
    "pki": 1,
    "limits": 1,
    "phone": 2,
    "mail": 2,
    "tracking": 2,
    "catalogue": 2,
    # definitions
    "organisation": 3,
    "calendar": 4,
    "identity": 4,
    # domain
    "fees": 4,
    "tokens": 4,
    "transparency": 4,
    "requests": 5,
    "permits": 6,
    "correspondence": 6,
    # edges
    "storage": 7,
    "documents": 7,
    "payments": 8,
    "notifications": 8,
    "simulators": 9,
    "plugins": 9,
    "reports": 9,
    "app": 10,
    "testing": 11,
    "demo": 11,
    "web": 11,
    "cli": 12,
    "__init__": 13,
}
DOMAIN = {
    "errors",
    "clock",
    "i18n",
    "pki",
    "limits",
    "phone",
    "mail",
    "tracking",
    "catalogue",
    "organisation",
    "calendar",
    "identity",
    "fees",
    "tokens",
    "transparency",
    "requests",
    "permits",
    "correspondence",
}
# Arrows not yet removed, each with the issue that removes it. Keep this empty.
KNOWN_EXCEPTIONS: set[tuple[str, str]] = set()


def _package_of(path: Path, root: Path = SOURCE) -> str:
    relative = path.relative_to(root)
    return relative.parts[0].removesuffix(".py")


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text("utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
    return found


def _arrows(root: Path = SOURCE) -> list[tuple[str, str, str]]:
    """(module file:line, its package, the package or plugin it imports) for every import."""
    arrows = []
    for path in sorted(root.rglob("*.py")):
        package = _package_of(path, root)
        for line, module in _imports(path):
            top, _, rest = module.partition(".")
            if top == "localgov" and rest:
                target = rest.split(".")[0]
                if target != package:
                    arrows.append((f"{path.relative_to(root.parent)}:{line}", package, target))
            elif top.startswith("localgov_"):
                arrows.append((f"{path.relative_to(root.parent)}:{line}", package, top))
    return arrows


def test_every_package_has_a_layer() -> None:
    packages = {_package_of(path) for path in SOURCE.rglob("*.py")}
    assert packages - set(LAYERS) == set(), "place the new package in LAYERS and docs/architecture.md"


def _upward(root: Path = SOURCE) -> list[str]:
    return [
        f"{where}: {package} (layer {LAYERS[package]}) imports {target}"
        for where, package, target in _arrows(root)
        if (package, target) not in KNOWN_EXCEPTIONS
        and (target.startswith("localgov_") or LAYERS.get(target, 99) >= LAYERS[package])
    ]


def test_no_import_points_up_or_into_a_plugin() -> None:
    assert _upward() == []


def test_the_domain_imports_no_adapter() -> None:
    wrong = [
        f"{where}: {package} imports {target}"
        for where, package, target in _arrows()
        if package in DOMAIN and target not in DOMAIN
    ]
    assert wrong == []


@pytest.mark.parametrize(
    ("package", "source"),
    [
        ("fees", "from localgov.requests.model import Invoice"),
        ("requests", "from localgov.plugins import Guard"),
        ("requests", "if TYPE_CHECKING:\n    from localgov.storage import SqlStore"),
        ("catalogue", "import localgov_cairo"),
    ],
)
def test_the_check_catches_an_arrow_pointing_up(tmp_path: Path, package: str, source: str) -> None:
    # The arrows the restructuring removed (and a plugin import), put back in a copy: each is found.
    root = tmp_path / "localgov"
    (root / package).mkdir(parents=True)
    (root / package / "module.py").write_text(source + "\n", "utf-8")
    (root / "i18n.py").write_text("from localgov.errors import LocalgovError\n", "utf-8")  # allowed
    assert len(_upward(root)) == 1
    assert f"{package}/module.py" in _upward(root)[0]
