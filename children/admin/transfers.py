"""The admin of children's transfers between communes: a read-only list for staff. Requests and
decisions are made in the portal, through `children.services.transfers`."""

from django.contrib import admin

from fund_portal.admin import ReadOnlyAdminMixin, ScopedAdminMixin

from ..models import ChildTransfer


@admin.register(ChildTransfer)
class ChildTransferAdmin(ScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["requested_at", "child", "from_commune", "to_commune", "status", "decided_at"]
    list_filter = ["status"]
    list_select_related = ["child", "from_commune", "to_commune"]
    search_fields = ["child__name_folded", "from_commune__name", "to_commune__name"]
    date_hierarchy = "requested_at"
    readonly_fields = [
        "child",
        "from_commune",
        "to_commune",
        "to_village",
        "reason",
        "status",
        "requested_by",
        "requested_at",
        "decided_by",
        "decided_at",
        "note",
        "not_duplicate_confirmed",
    ]
