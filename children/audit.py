from auditlog.registry import auditlog

from .models import Child, Circumstance, Incident, Need, PriorityWeight, Review, Sponsorship, Support

auditlog.register(Child)
auditlog.register(Circumstance)
auditlog.register(Need)
auditlog.register(Review)
auditlog.register(Support)
auditlog.register(Sponsorship)
auditlog.register(Incident)
auditlog.register(PriorityWeight)
