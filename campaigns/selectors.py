"""Reads of campaigns."""

from django.db.models import Q, QuerySet

from .models import Campaign


def campaigns_open_to(*, user) -> QuerySet[Campaign]:
    """Campaigns a user can record money for: those of their units and of the units above theirs."""
    above = [unit.pk for unit in user.unit.ancestors()] if user.unit_id else []
    return Campaign.objects.filter(
        Q(pk__in=Campaign.objects.visible_to(user).values("pk")) | Q(unit__in=above)
    ).order_by("-starts_on")
