"""Admin of the ledger: entries are read, never added, changed or deleted here."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from fund_portal.admin import ReadOnlyAdminMixin, ScopedAdminMixin
from fund_portal.money import format_vnd
from fund_portal.paginators import CappedCountPaginator

from ..models import LedgerEntry


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """The ledger, read-only: entries are made by posting, approving and reversing."""

    list_display = ["entry_date", "fund", "kind", "medium", "amount_display", "description", "restriction"]
    list_filter = ["fund", "kind", "medium", "source", "restriction"]
    paginator = CappedCountPaginator
    list_select_related = ["fund"]
    show_full_result_count = False

    @admin.display(description=_("amount"), ordering="amount")
    def amount_display(self, obj):
        return format_vnd(obj.amount)
