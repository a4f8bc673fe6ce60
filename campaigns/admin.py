from django.contrib import admin

from fund_portal.admin import ScopedAdminMixin

from .models import Campaign


@admin.register(Campaign)
class CampaignAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "starts_on", "ends_on", "target_amount", "unit", "is_public"]
    list_filter = ["kind", "is_public"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    raw_id_fields = ["unit"]
