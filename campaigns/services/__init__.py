"""Writes of campaigns; every rule of campaigns lives here, and views, the admin and the Celery task
call these: `campaigns` (saving a campaign), `campaign_templates` (recurring campaigns and the year's
campaigns made from them), `events` (a campaign's events), `gift_lists` (choosing the children by
priority, the handover that records the support, discarding a draft)."""
