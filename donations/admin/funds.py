"""Admin of funds and their bank accounts."""

from django.contrib import admin

from children.tasks import priority_funds_changed
from fund_portal.admin import ScopedAdminMixin

from ..models import BankAccount, Fund


class BankAccountInline(admin.TabularInline):
    model = BankAccount
    extra = 0


@admin.register(Fund)
class FundAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "code", "unit", "is_active"]
    search_fields = ["name", "code"]
    inlines = [BankAccountInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change or {"unit", "is_active"} & set(form.changed_data):
            priority_funds_changed()  # the fund that governs some communes, and so their weights, changed
