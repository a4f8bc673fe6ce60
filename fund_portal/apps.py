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
        _connect_permission_changes()


def _connect_permission_changes() -> None:
    """What changes who holds which permission renews the kept permissions (`fund_portal.auth_backends`)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group, Permission
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from .auth_backends import permissions_changed

    def changed(**kwargs) -> None:
        permissions_changed()

    def user_created(*, created, **kwargs) -> None:
        if created:
            permissions_changed()

    user = get_user_model()
    for through in (user.groups.through, user.user_permissions.through, Group.permissions.through):
        uid = f"permissions_{through._meta.label}"
        m2m_changed.connect(changed, sender=through, weak=False, dispatch_uid=uid)
    for model in (Group, Permission, user):
        uid = f"permissions_deleted_{model._meta.label}"
        post_delete.connect(changed, sender=model, weak=False, dispatch_uid=uid)
    post_save.connect(user_created, sender=user, weak=False, dispatch_uid="permissions_user_created")


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
