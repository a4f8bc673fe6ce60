"""Admin of the bank feed's deliveries: what the notification service sent, and what was done with it.
Read only: deliveries are written by the webhook alone."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from fund_portal.admin import ReadOnlyAdminMixin, ScopedAdminMixin, money_display

from ..models import BankFeedDelivery


@admin.register(BankFeedDelivery)
class BankFeedDeliveryAdmin(ScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "received_at",
        "amount_display",
        "direction",
        "content",
        "outcome",
        "line",
        "bank_account",
    ]
    list_filter = ["outcome", "incoming", "bank_account"]
    search_fields = ["content", "bank_ref", "transaction_id"]
    list_select_related = ["bank_account", "line"]
    date_hierarchy = "received_at"

    amount_display = money_display("amount", _("amount"))

    @admin.display(description=_("direction"), ordering="incoming")
    def direction(self, obj):
        return _("Money in") if obj.incoming else _("Money out")
