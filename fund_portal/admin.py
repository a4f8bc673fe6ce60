"""The district staff's admin: branded as the fund's, every scoped list narrowed by `visible_to`."""

from auditlog.admin import LogEntryAdmin
from auditlog.models import LogEntry
from django.conf import settings
from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import ValidationError
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import AdministrativeUnit, NewsPost, User
from .scope import visible_unit_ids
from .services import unit_save

admin.site.site_header = settings.FUND_NAME
admin.site.site_title = _("Fund administration")
admin.site.index_title = _("Fund administration")


class TolerantChangeList(ChangeList):
    """A changelist whose query string (`?delivered_on__year=9999999999999999999999`,
    `?resource_type=abc`) cannot cause a server error.

    Django turns a bad filter value into IncorrectLookupParameters (the list reopens without its
    filters, "?e=1") for field filters only: a year past `datetime`'s range in the date hierarchy
    raised OverflowError, and a list filter of our own or of a library (auditlog's resource type)
    that filters on the raw value raised ValueError.
    """

    def get_filters(self, request):
        try:
            return super().get_filters(request)
        except OverflowError as exc:
            raise IncorrectLookupParameters(exc) from exc

    def get_queryset(self, request, exclude_parameters=None):
        try:
            return super().get_queryset(request, exclude_parameters)
        except (ValueError, OverflowError, ValidationError) as exc:
            raise IncorrectLookupParameters(exc) from exc

    def get_results(self, request):
        # SQLite's driver refuses an integer past 64 bits only when the query runs (PostgreSQL
        # compares it and finds nothing): `?resource_type=9999999999999999999999`.
        try:
            return super().get_results(request)
        except OverflowError as exc:
            raise IncorrectLookupParameters(exc) from exc


class TolerantChangeListMixin:
    """Every admin list of the portal uses TolerantChangeList (tests/security/test_url_fuzz.py)."""

    def get_changelist(self, request, **kwargs):
        return TolerantChangeList


class ScopedAdminMixin(TolerantChangeListMixin):
    """Admin lists, change pages and foreign-key choices show only what the user may see."""

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        """Any choice of a scoped record (a unit, a fund, a donor...) lists only what the user may see."""
        queryset = db_field.related_model._default_manager.all()
        if hasattr(queryset, "visible_to"):
            kwargs["queryset"] = queryset.visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def action_checkbox(self, obj):
        """Django's checkbox of a list row, the same HTML written directly: rendering a CheckboxInput
        through the form templates took a quarter of a 100-row list page."""
        label = format_html(gettext("Select this object for an action - {}"), str(obj))
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            str(obj.pk),
            label,
        )


@admin.register(AdministrativeUnit)
class AdministrativeUnitAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "code", "level", "parent", "is_especially_difficult", "is_ethnic_mountainous"]
    list_filter = ["level", "is_especially_difficult", "is_ethnic_mountainous"]
    search_fields = ["name", "code"]
    readonly_fields = ["path"]
    raw_id_fields = ["parent"]

    def save_model(self, request, obj, form, change):
        unit_save(unit=obj)


@admin.register(User)
class UserAdmin(ScopedAdminMixin, BaseUserAdmin):
    list_display = ["username", "get_full_name", "email", "role", "unit", "is_staff", "is_active"]
    list_filter = ["role", "is_staff", "is_active"]
    list_select_related = ["unit"]
    raw_id_fields = ["unit"]
    fieldsets = BaseUserAdmin.fieldsets + ((_("Role and scope"), {"fields": ("role", "unit", "phone")}),)


admin.site.unregister(LogEntry)


@admin.register(LogEntry)
class ScopedLogEntryAdmin(TolerantChangeListMixin, LogEntryAdmin):
    """The audit trail, limited to the records under the user's unit."""

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        ids = visible_unit_ids(request.user)
        if ids is None:
            return qs
        return qs.filter(additional_data__unit_id__in=list(ids))


@admin.register(NewsPost)
class NewsPostAdmin(TolerantChangeListMixin, admin.ModelAdmin):
    """News of the fund's public site; saving one refreshes the cached public pages at once."""

    list_display = ["title", "published_at", "is_published", "campaign"]
    list_filter = ["is_published"]
    search_fields = ["title", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    raw_id_fields = ["campaign"]
    date_hierarchy = "published_at"

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        from .public_cache import public_cache_bump

        public_cache_bump()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        from .public_cache import public_cache_bump

        public_cache_bump()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        from .public_cache import public_cache_bump

        public_cache_bump()
