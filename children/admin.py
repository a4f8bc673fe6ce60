"""District staff see their district's children; sensitive fields need the permission; views are logged."""

from django.contrib import admin

from fund_portal.admin import ScopedAdminMixin

from . import admin_incidents, selectors, services  # noqa: F401  (admin_incidents registers)
from .admin_duplicates import ChildDuplicatesAdminMixin
from .admin_import import ChildImportExportAdminMixin
from .models import AccessAction, AccessLog, Child, Circumstance


class CircumstanceInline(admin.TabularInline):
    model = Circumstance
    extra = 0

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if selectors.can_see_sensitive(request.user):
            return queryset
        from .reference import SENSITIVE_CODES

        return queryset.exclude(group__in=SENSITIVE_CODES)


@admin.register(Child)
class ChildAdmin(ChildImportExportAdminMixin, ChildDuplicatesAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["full_name", "birth_date", "sex", "commune", "village", "poverty", "status"]
    list_filter = ["status", "poverty", "sex", "out_of_school"]
    search_fields = ["name_folded", "personal_id"]
    list_select_related = ["commune", "village"]
    raw_id_fields = ["commune", "village"]
    inlines = [CircumstanceInline]
    readonly_fields = ["name_folded"]

    def get_exclude(self, request, obj=None):
        return [] if selectors.can_see_sensitive(request.user) else ["health_notes"]

    def get_search_results(self, request, queryset, search_term):
        from fund_portal.text import fold

        return super().get_search_results(request, queryset, fold(search_term))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        child = self.get_queryset(request).filter(pk=object_id).first()
        if child is not None:
            services.access_log(user=request.user, action=AccessAction.VIEW, child=child)
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(AccessLog)
class AccessLogAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Who looked at or exported children's data: read by district staff, never edited."""

    list_display = ["at", "user", "action", "child", "children_count", "reason"]
    list_filter = ["action"]
    list_select_related = ["user", "child"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
