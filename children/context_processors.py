"""The urgent-incident banner's data for the portal and the admin (see `children.selectors.incidents`)."""

from fund_portal.models import ADMIN_ROLES
from fund_portal.scope import national_role


def incidents(request) -> dict:
    """For fund staff and holders of the sensitive permission: open urgent incidents in their scope.

    Nothing, and no query, for anonymous visitors, donors and accounts without a unit (but the
    national auditor, whose scope is every unit by its role). Fund staff and the auditors always see the
    count (never the details); the link to the list is for holders of the permission.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_active:
        return {}
    if not (user.role and user.unit_id) and not user.is_superuser and not national_role(user):
        return {}
    from .selectors.incidents import urgent_open_summary
    from .selectors.registry import can_see_sensitive

    if user.is_superuser or user.role in ADMIN_ROLES:
        summary = urgent_open_summary(user=user)
        allowed = summary is not None and can_see_sensitive(user)
    else:
        allowed = can_see_sensitive(user)
        summary = urgent_open_summary(user=user) if allowed else None
    if summary is None:
        return {}
    return {"urgent_incidents": {**summary, "can_open": allowed}}
