"""District staff run campaigns in the admin: campaigns with their events and participating communes,
the recurring campaigns, and the gift lists (build, signing sheets, handover). Every write goes
through `campaigns.services`; every list is narrowed by `visible_to`."""

from . import campaign_templates, campaigns, gift_lists  # noqa: F401  (the registrations run)
