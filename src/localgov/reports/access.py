"""Who may see an employee's figures: their supervisors, not everyone.

A caller states who it is with a :class:`ReportViewer`: the roles it holds and the local unit it
answers for (None for the governorate or ministry level). Employee figures need one of the
supervisor roles; a unit's supervisor sees that unit's employees only. Request figures carry
counts alone and are open to every staff caller.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from localgov.organisation import StaffMember
from localgov.reports.errors import ReportNotPermitted
from localgov.reports.query import Filters

__all__ = ["SUPERVISOR_ROLES", "ReportViewer", "employee_scope"]

#: Roles that supervise employees: the head of the local unit (the catalogue's approver) and the
#: report-only roles a deployment gives its governorate and ministry inspectors.
SUPERVISOR_ROLES = frozenset({"approver", "unit_head", "governorate_supervisor", "ministry_inspector"})


def _roles(roles: Iterable[str]) -> frozenset[str]:
    return frozenset(roles)


@attrs.frozen
class ReportViewer:
    id: str
    roles: frozenset[str] = attrs.field(converter=_roles)
    #: The local unit the viewer answers for; None: every unit of the governorate.
    unit: str | None = None

    @classmethod
    def staff(cls, member: StaffMember) -> ReportViewer:
        """An employee as a viewer: bound to their own unit."""
        return cls(member.id, member.roles, member.unit)


def employee_scope(viewer: ReportViewer | None, filters: Filters, supervisors: frozenset[str]) -> Filters:
    """The filters an employee report runs with for ``viewer``; refuse a viewer who may not see it."""
    if viewer is None or not viewer.roles & supervisors:
        who = "an anonymous caller" if viewer is None else f"{viewer.id} (roles: {', '.join(sorted(viewer.roles))})"
        raise ReportNotPermitted(
            f"employee figures are for supervisors ({', '.join(sorted(supervisors))}); {who} holds none of those roles"
        )
    if viewer.unit is None:
        return filters
    if filters.unit is not None and filters.unit != viewer.unit:
        raise ReportNotPermitted(f"{viewer.id} supervises {viewer.unit}, not {filters.unit}")
    return attrs.evolve(filters, unit=viewer.unit)
