from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "campaigns"
    verbose_name = _("Campaigns and events")

    def ready(self) -> None:
        from . import audit  # noqa: F401  (registers models with the audit trail)
