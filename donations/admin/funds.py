"""Admin of funds and their bank accounts."""

from django.contrib import admin

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
