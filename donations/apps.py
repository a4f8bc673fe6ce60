from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ledger_triggers_ensure(sender, using="default", **kwargs) -> None:
    from django.db import connections

    from .ledger_sql import ensure_sqlite_triggers

    ensure_sqlite_triggers(connections[using])


class DonationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "donations"
    verbose_name = _("Donors, donations and the fund's ledger")

    def ready(self) -> None:
        from . import audit  # noqa: F401  (registers models with the audit trail)

        post_migrate.connect(_ledger_triggers_ensure, sender=self)
