"""The audit trail: every create, update and delete of a scoped record, by whom and when.

django-auditlog writes the entries; each registered model adds its unit's path to the entry
(`get_additional_data`) so the admin can scope the trail like the records themselves.
"""

from auditlog.registry import auditlog

from .models import AdministrativeUnit, User

auditlog.register(AdministrativeUnit)
auditlog.register(User, exclude_fields=["password", "last_login"])
