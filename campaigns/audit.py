from auditlog.registry import auditlog

from .models import Campaign, CampaignEvent, CampaignTemplate, GiftList, GiftListEntry

auditlog.register(Campaign, m2m_fields={"participating_communes"})
auditlog.register(CampaignTemplate)
auditlog.register(CampaignEvent)
auditlog.register(GiftList)
auditlog.register(GiftListEntry)
