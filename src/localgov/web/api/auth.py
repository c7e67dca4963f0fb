"""Who is calling: an employee by API key (``Authorization: Bearer <key>`` or ``X-API-Key``), or the public.

The settings keep only each key's SHA-256 and the staff id it acts as; the staff member must also
be on the engine's roster, so a key of someone who left stops working when the roster drops them.
What the employee may then do is the engine's decision (roles, units, separation of duties), as
for the command line: this module only says who they are.
"""

from __future__ import annotations

from typing import Annotated

from litestar.di import NamedDependency
from litestar.exceptions import NotAuthorizedException
from litestar.params import HeaderParameter

from localgov.organisation import StaffMember
from localgov.web.context import WebContext

__all__ = ["AuthorizationHeader", "KeyHeader", "optional_staff", "presented_key", "required_staff", "staff_for"]

AuthorizationHeader = Annotated[
    str | None,
    HeaderParameter(name="Authorization", description="`Bearer <API key>` of an employee", required=False),
]
KeyHeader = Annotated[
    str | None, HeaderParameter(name="X-API-Key", description="An employee's API key (instead of Authorization)")
]

_REFUSED = "مفتاح الواجهة مفقود أو غير معروف / the API key is missing or not known"


def presented_key(authorization: str | None, api_key: str | None) -> str | None:
    """The key the caller presents: the bearer token, else the X-API-Key header; None when neither."""
    if authorization is not None:
        scheme, _, token = authorization.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise NotAuthorizedException(detail=_REFUSED)
        return token.strip()
    if api_key is not None:
        return api_key.strip()
    return None


def staff_for(context: WebContext, key: str) -> StaffMember:
    """The staff member ``key`` acts as; 401 when the key, or the member it names, is not known."""
    staff_id = context.settings.staff_id_for_key(key)
    member = context.engine.staff.get(staff_id) if staff_id is not None else None
    if member is None:
        raise NotAuthorizedException(detail=_REFUSED)
    return member


async def required_staff(
    context: NamedDependency[WebContext], authorization: AuthorizationHeader = None, x_api_key: KeyHeader = None
) -> StaffMember:
    """Dependency of the back-office operations: the calling employee, or 401."""
    key = presented_key(authorization, x_api_key)
    if key is None:
        raise NotAuthorizedException(detail=_REFUSED)
    return staff_for(context, key)


async def optional_staff(
    context: NamedDependency[WebContext], authorization: AuthorizationHeader = None, x_api_key: KeyHeader = None
) -> StaffMember | None:
    """Dependency of operations open to the public: None without a key, 401 for a key that is not known
    (a mistyped key must not silently turn an employee into the public)."""
    key = presented_key(authorization, x_api_key)
    return None if key is None else staff_for(context, key)
