from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundPortalConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "fund_portal"
    verbose_name = _("Portal core: administrative units and accounts")

    def ready(self) -> None:
        from . import audit  # noqa: F401  (registers models with the audit trail)
