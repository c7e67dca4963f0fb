"""Loading a staff roster from TOML: who works where, in which roles.

Staff normally come from the governorate's HR system through the embedding application; a file
serves the CLI, the demo and small deployments::

    [staff.clerk_ahmed]
    name = "أحمد محمود"
    unit = "zeitoun"
    roles = ["front_desk_clerk"]
    national_id = "28001011234567"   # optional: lets the engine refuse self-dealing
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from localgov.catalogue.converter import make_converter, structure_entry
from localgov.catalogue.problems import CatalogueError, Problem, describe_value
from localgov.catalogue.sources import DefinitionSource, definition_files, table_entries
from localgov.organisation.model import Governorate, StaffMember

__all__ = ["load_staff"]

_CONVERTER = make_converter()


def load_staff(
    sources: Iterable[DefinitionSource],
    *,
    organisation: Mapping[str, Governorate] | None = None,
    known_roles: Iterable[str] | None = None,
) -> list[StaffMember]:
    """Staff members from roster files; every problem is reported at once (:class:`CatalogueError`).

    With ``organisation`` and ``known_roles``, units and roles are checked too.
    """
    problems: list[Problem] = []
    staff: dict[str, StaffMember] = {}
    units = {code for g in (organisation or {}).values() for code in g.units}
    roles = set(known_roles) if known_roles is not None else None
    for name, document in definition_files(sources, problems):
        for _, staff_id, data, path in table_entries(name, document, ["staff"], problems, entries="staff members"):
            if isinstance(data, dict):
                data = {"id": staff_id, **data}
            member, entry_problems = structure_entry(_CONVERTER, data, StaffMember, name, path)
            problems += entry_problems
            if member is None:
                continue
            if staff_id in staff:
                problems.append(Problem(name, path, "duplicate staff id"))
            if organisation is not None and member.unit not in units:
                problems.append(Problem(name, f"{path}.unit", f"unknown local unit {describe_value(member.unit)}"))
            for role in sorted(member.roles - roles if roles is not None else set()):
                problems.append(Problem(name, f"{path}.roles", f"unknown role {describe_value(role)}"))
            staff[staff_id] = member
    if problems:
        raise CatalogueError(problems)
    return list(staff.values())
