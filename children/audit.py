from auditlog.registry import auditlog

from .models import Child, Circumstance

auditlog.register(Child)
auditlog.register(Circumstance)
