"""Reads of the portal's core."""

from django.db.models import Count

from .models import AdministrativeUnit


def units_under(*, user, unit: AdministrativeUnit):
    """The direct sub-units of a unit that the user may see, with how many units each holds."""
    return (
        AdministrativeUnit.objects.visible_to(user)
        .filter(parent=unit)
        .annotate(subunit_count=Count("children"))
        .order_by("name")
    )
