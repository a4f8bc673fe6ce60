from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChildrenConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "children"
    verbose_name = _("Registry of children")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import audit  # noqa: F401  (registers models with the audit trail)

        post_migrate.connect(_priority_weights_ensure, sender=self)
        post_migrate.connect(_need_triggers_ensure, sender=self)


def _need_triggers_ensure(sender, using="default", **kwargs) -> None:
    from django.db import connections

    from . import needs_sql, province_sql

    needs_sql.ensure_sqlite_triggers(connections[using])
    province_sql.ensure_sqlite_triggers(connections[using])


def _priority_weights_ensure(**kwargs) -> None:
    """After migrating, every factor of the priority formula has a weight staff can edit."""
    from .priority import weights_ensure

    weights_ensure()
