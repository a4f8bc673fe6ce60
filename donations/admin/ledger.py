"""Admin of the ledger: entries are read, never added, changed or deleted here."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from fund_portal.admin import ReadOnlyAdminMixin, ScopedAdminMixin, money_display
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

    amount_display = money_display("amount", _("amount"))
