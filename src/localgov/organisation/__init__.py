"""The organisation that serves citizens: governorates, zones, local units, service points, staff."""

from localgov.organisation.governorates import (
    GOVERNORATES,
    GovernorateFacts,
    GovernorateKind,
    governorate_facts,
)
from localgov.organisation.loading import load_organisation
from localgov.organisation.model import (
    Governorate,
    LocalUnit,
    LocalUnitKind,
    Opening,
    ServicePoint,
    ServicePointKind,
    StaffMember,
    Zone,
)
from localgov.organisation.staff import load_staff

__all__ = [
    "GOVERNORATES",
    "Governorate",
    "GovernorateFacts",
    "GovernorateKind",
    "LocalUnit",
    "LocalUnitKind",
    "Opening",
    "ServicePoint",
    "ServicePointKind",
    "StaffMember",
    "Zone",
    "governorate_facts",
    "load_organisation",
    "load_staff",
]
