from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundPortalConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "fund_portal"
    verbose_name = _("Portal core: administrative units and accounts")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import audit  # noqa: F401  (registers models with the audit trail)

        post_migrate.connect(_sync_role_groups, dispatch_uid="fund_portal_role_groups")


def _sync_role_groups(**kwargs) -> None:
    """After every migration, the roles' groups get the permissions of models that are new."""
    from .services import role_groups_sync

    role_groups_sync()
