"""Property-based tests: no input makes the loader raise anything but CatalogueError, and a value
of the wrong type is reported at its exact path."""

from __future__ import annotations

import copy
import datetime
import tempfile
from pathlib import Path
from typing import Any

import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from localgov.catalogue import CatalogueError, load_catalogue
from localgov.catalogue.sources import display_name
from localgov.requests.guards import BUILTIN_GUARDS

from ..conftest import VALID_FEE_RULES, VALID_SERVICE

CORE = Path(__file__).parents[2] / "src" / "localgov" / "catalogue" / "data"
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def load_text(text: str | bytes) -> list[str]:
    """Load CORE plus one file with ``text``; return the problems (empty when it loads)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.toml"
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass"))
        try:
            load_catalogue([CORE, path], known_guards=BUILTIN_GUARDS)
        except CatalogueError as error:
            assert error.problems, "a CatalogueError always lists its problems"
            return [str(p) for p in error.problems]
        return []


@SETTINGS
@given(st.binary(max_size=400) | st.text(max_size=400))
def test_arbitrary_bytes_or_text_only_raise_catalogue_error(content: str | bytes) -> None:
    load_text(content)


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
    st.dates(min_value=datetime.date(1900, 1, 1)),
)
KEYS = st.sampled_from(
    [
        "name",
        "ar",
        "en",
        "kind",
        "type",
        "fields",
        "documents",
        "fees",
        "rule",
        "from",
        "to",
        "states",
        "actions",
        "category",
        "workflow",
        "channels",
        "issues",
        "validity",
        "tiers",
        "up_to",
        "rate",
        "when",
        "equals",
        "x",
    ]
)


def toml_values(leaves: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.recursive(
        leaves.filter(lambda v: v is not None),
        lambda children: (
            st.lists(children, max_size=4) | st.dictionaries(KEYS | st.text(max_size=8), children, max_size=5)
        ),
        max_leaves=25,
    )


SECTION = st.sampled_from(["services", "fee_rules", "workflows", "document_types", "roles", "channels", "bogus"])


@SETTINGS
@given(st.dictionaries(SECTION, st.dictionaries(st.text(max_size=10), toml_values(scalars), max_size=3), max_size=3))
def test_arbitrary_structures_only_raise_catalogue_error(document: dict[str, Any]) -> None:
    load_text(tomli_w.dumps(document))


OVERRIDE_KEYS = st.sampled_from(
    ["governorate", "service", "time_limit_days", "channels", "steps", "documents", "fees", "placeholders", "x"]
)
OVERRIDE_VALUES = st.one_of(
    st.sampled_from(["KB", "C", "building_permit", "site_validity_statement", "front_desk", "post_office"]),
    toml_values(scalars),
)


@SETTINGS
@given(
    st.lists(st.dictionaries(OVERRIDE_KEYS, OVERRIDE_VALUES, max_size=5), max_size=4)
    | st.dictionaries(st.text(max_size=8), toml_values(scalars), max_size=3)
    | toml_values(scalars)
)
def test_arbitrary_overrides_only_raise_catalogue_error(overrides: Any) -> None:
    # Most are refused; those that load must name a known governorate and service.
    problems = load_text(tomli_w.dumps({"overrides": overrides}))
    if not problems:
        assert isinstance(overrides, list)
        assert all(o["service"] in ("building_permit", "site_validity_statement") for o in overrides)


# Leaf paths of a valid service, with a value of a type the schema does not accept there.
WRONG_TYPES: list[tuple[tuple[Any, ...], Any]] = [
    (("time_limit_days",), "ten"),
    (("time_limit_days",), 2.5),
    (("category",), 7),
    (("name",), "just a string"),
    (("name", "ar"), 12),
    (("channels",), "front_desk"),
    (("channels", 1), True),
    (("issues", "kind"), "passport"),
    (("issues", "validity", "years"), "3"),
    (("fields", 0, "type"), "colour"),
    (("fields", 0, "minimum"), 1.5),
    (("fields", 1, "required"), "yes"),
    (("fields", 2, "choices", 1, "value"), 3),
    (("documents", 1, "max_size_mb"), "ten"),
    (("documents", 0, "mandatory"), 1),
    (("documents", 2, "when", "equals"), "commercial"),
    (("fees", 0, "rule"), ["a"]),
    (("steps", 0, "ar"), 5),
]


def path_text(steps: tuple[Any, ...]) -> str:
    text = "services.test_permit"
    for step in steps:
        text += f"[{step}]" if isinstance(step, int) else f".{step}"
    return text


@SETTINGS
@given(st.sampled_from(WRONG_TYPES), st.data())
def test_a_wrong_type_is_reported_at_its_exact_path(case: tuple[tuple[Any, ...], Any], data: st.DataObject) -> None:
    steps, wrong = case
    service = copy.deepcopy(VALID_SERVICE)
    node: Any = service
    for step in steps[:-1]:
        node = node[step]
    node[steps[-1]] = wrong
    # Sometimes add an unrelated second mistake: both must still be reported.
    add_typo = data.draw(st.booleans())
    if add_typo:
        service["descripton"] = {"ar": "خطأ", "en": "typo"}
    problems = load_text(tomli_w.dumps({"services": {"test_permit": service}, "fee_rules": VALID_FEE_RULES}))
    expected = path_text(steps)
    assert any(f"fuzz.toml: {expected}:" in p for p in problems), (expected, problems)
    if add_typo:
        assert any("services.test_permit.descripton: unknown key" in p for p in problems), problems


@SETTINGS
@given(st.text(min_size=1, max_size=12).filter(lambda k: k not in {"ar", "en"}))
def test_an_unknown_key_is_named_in_the_problem(key: str) -> None:
    service = copy.deepcopy(VALID_SERVICE)
    service["issues"][key] = 1
    problems = load_text(tomli_w.dumps({"services": {"test_permit": service}, "fee_rules": VALID_FEE_RULES}))
    if key in {"kind", "validity"}:
        return
    assert any(f"services.test_permit.issues.{key}: unknown key" in p for p in problems), problems


def test_display_name_is_relative_inside_the_working_directory() -> None:
    assert display_name(Path.cwd() / "a" / "b.toml") == str(Path("a") / "b.toml")
