from auditlog.registry import auditlog

from .models import Campaign

auditlog.register(Campaign)
