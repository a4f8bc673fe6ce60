"""Admin of goods in stock: read here; stock moves through donations and disbursements."""

from django.contrib import admin

from fund_portal.admin import ReadOnlyAdminMixin, ScopedAdminMixin

from ..models import StockItem, StockMovement


class StockMovementInline(admin.TabularInline):
    model = StockMovement
    extra = 0
    can_delete = False
    readonly_fields = ["moved_on", "quantity", "donation", "disbursement"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(StockItem)
class StockItemAdmin(ScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Stock, read-only: goods come in by posting a goods donation (`stock_receive`) and go out by an
    approved disbursement (`stock_issue`). An item is found by its fund, name and unit, so renaming
    one by hand would send the next receipt to a new item and break the reversal of past donations."""

    list_display = ["name", "unit_of_measure", "quantity", "fund"]
    list_filter = ["fund"]
    search_fields = ["name"]
    readonly_fields = ["quantity"]
    inlines = [StockMovementInline]
