"""Writes of a campaign's events (the launch ceremony, an exchange...)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from campaigns.models import Campaign, CampaignEvent
from fund_portal.authority import Action, requires
from fund_portal.text import normalize_text


@transaction.atomic
@requires(Action.CAMPAIGN_MANAGE)
def event_save(*, event: CampaignEvent, by) -> CampaignEvent:
    """Create or change an event of a campaign (the launch ceremony, an exchange...)."""
    if not Campaign.objects.visible_to(by).filter(pk=event.campaign_id).exists():
        raise PermissionDenied
    event.name = normalize_text(event.name)
    event.place = normalize_text(event.place)
    event.full_clean()
    event.save()
    return event
