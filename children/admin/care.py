"""The admin of the priority formula's weights."""

from django.contrib import admin
from django.db import transaction

from fund_portal.admin import TolerantChangeListMixin

from ..models import PriorityWeight


@admin.register(PriorityWeight)
class PriorityWeightAdmin(TolerantChangeListMixin, admin.ModelAdmin):
    """The weights of the priority formula (see `children.priority`); saving one recomputes every child."""

    list_display = ["factor", "weight", "note"]
    list_editable = ["weight"]
    readonly_fields = ["factor"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        from ..tasks import priority_recompute_task

        transaction.on_commit(priority_recompute_task.delay)
