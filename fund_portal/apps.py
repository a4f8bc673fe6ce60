from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundPortalConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "fund_portal"
    verbose_name = _("Portal core: administrative units and accounts")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import audit  # noqa: F401  (registers models with the audit trail)
        from .lookups import register

        register()

        post_migrate.connect(_sync_role_groups, dispatch_uid="fund_portal_role_groups")


def _sync_role_groups(*, app_config, **kwargs) -> None:
    """After every migration, the roles' groups get the permissions of models that are new.

    post_migrate is sent once per app; the groups are written after the last app's, when every
    app's permissions exist."""
    from django.apps import apps as global_apps

    last = [config for config in global_apps.get_app_configs() if config.models_module is not None][-1]
    if app_config.label != last.label:
        return
    from .services import role_groups_sync

    role_groups_sync()
