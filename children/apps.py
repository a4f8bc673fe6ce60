from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChildrenConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "children"
    verbose_name = _("Registry of children")

    def ready(self) -> None:
        from . import audit  # noqa: F401  (registers models with the audit trail)
