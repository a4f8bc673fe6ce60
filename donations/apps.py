from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DonationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "donations"
    verbose_name = _("Donors, donations and the fund's ledger")

    def ready(self) -> None:
        from . import audit  # noqa: F401  (registers models with the audit trail)
