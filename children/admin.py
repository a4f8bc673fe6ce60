"""District staff see their district's children; sensitive fields need the permission; views are logged."""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from fund_portal.admin import ScopedAdminMixin, TolerantChangeListMixin

from . import admin_incidents, selectors, services  # noqa: F401  (admin_incidents registers)
from .admin_duplicates import ChildDuplicatesAdminMixin
from .admin_import import ChildImportExportAdminMixin
from .models import (
    AccessAction,
    AccessLog,
    Child,
    ChildStatusChange,
    Circumstance,
    Need,
    PriorityWeight,
    Review,
    Sponsorship,
    Support,
)


class CircumstanceInline(admin.TabularInline):
    model = Circumstance
    extra = 0

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if selectors.can_see_sensitive(request.user):
            return queryset
        from .reference import SENSITIVE_CODES

        return queryset.exclude(group__in=SENSITIVE_CODES)


class ReadOnlyInline(admin.TabularInline):
    """History shown on the child's page in the admin; written only through the portal's services."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class NeedInline(ReadOnlyInline):
    model = Need
    fields = readonly_fields = ["year", "area", "urgency", "note", "assessed_on"]


class SupportInline(ReadOnlyInline):
    model = Support
    fk_name = "child"
    fields = readonly_fields = [
        "delivered_on",
        "kind",
        "quantity",
        "value",
        "source",
        "campaign",
        "disbursement",
    ]


class ReviewInline(ReadOnlyInline):
    model = Review
    fields = readonly_fields = ["year", "reviewed_on", "outcome", "note", "by"]


class StatusChangeInline(ReadOnlyInline):
    model = ChildStatusChange
    fields = readonly_fields = ["on", "status_from", "status_to", "reason", "by"]


@admin.register(Child)
class ChildAdmin(ChildImportExportAdminMixin, ChildDuplicatesAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["full_name", "birth_date", "sex", "commune", "village", "poverty", "status"]
    list_filter = ["status", "poverty", "sex", "out_of_school"]
    search_fields = ["name_folded", "personal_id"]
    list_select_related = ["commune", "village"]
    raw_id_fields = ["commune", "village"]
    inlines = [CircumstanceInline, NeedInline, SupportInline, ReviewInline, StatusChangeInline]
    readonly_fields = ["name_folded", "priority_score", "priority", "last_reviewed_year", "merged_into"]

    def get_exclude(self, request, obj=None):
        return [] if selectors.can_see_sensitive(request.user) else ["health_notes"]

    def get_search_results(self, request, queryset, search_term):
        from fund_portal.text import fold

        return super().get_search_results(request, queryset, fold(search_term))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # get_object, not filter(pk=...): it is None for an id that is no number ("/child/x/change/").
        child = self.get_object(request, object_id)
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


@admin.register(Support)
class SupportAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Support delivered, for the district's overview; recorded by communes in the portal."""

    list_display = ["delivered_on", "child", "commune", "kind", "quantity", "value", "source", "campaign"]
    list_filter = ["kind", "source", "delivered_on"]
    list_select_related = ["child", "commune", "campaign"]
    date_hierarchy = "delivered_on"
    raw_id_fields = ["child", "sponsorship", "disbursement", "donor"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(Sponsorship)
class SponsorshipAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Sponsorships (đỡ đầu) arranged by the fund; each delivery is a support recorded in the portal."""

    list_display = ["donor", "child", "starts_on", "ends_on", "monthly_amount", "goods"]
    list_select_related = ["donor", "child"]
    raw_id_fields = ["donor", "child"]
    readonly_fields = ["token", "progress_link"]

    @admin.display(description=_("sponsor's progress page"))
    def progress_link(self, obj):
        from django.urls import reverse
        from django.utils.html import format_html

        if not obj.pk:
            return "—"
        url = reverse("sponsorship:progress", args=[obj.token])
        return format_html('<a href="{}">{}</a>', url, url)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        saved = _sponsorship_start(request, form.cleaned_data)
        obj.pk, obj.token = saved.pk, saved.token

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)

        class CheckedForm(form):
            """Runs the service's checks (writing nothing) so its refusals show on the form."""

            def clean(self):
                data = super().clean()
                if obj is None and not self.errors:
                    try:
                        services.sponsorship_check(**_sponsorship_terms(request, data))
                    except ValidationError as error:
                        raise ValidationError(error.messages) from None
                return data

        return CheckedForm


def _sponsorship_terms(request, data) -> dict:
    """The form's sponsorship as the arguments `sponsorship_check` takes."""
    return {
        "by": request.user,
        "donor": data["donor"],
        "child": data["child"],
        "starts_on": data["starts_on"],
        "ends_on": data.get("ends_on"),
        "monthly_amount": data.get("monthly_amount"),
        "goods": data.get("goods", ""),
    }


def _sponsorship_start(request, data) -> Sponsorship:
    return services.sponsorship_start(**_sponsorship_terms(request, data), note=data.get("note", ""))


@admin.register(PriorityWeight)
class PriorityWeightAdmin(TolerantChangeListMixin, admin.ModelAdmin):
    """The weights of the priority formula (see `children.priority`); saving one recomputes every child."""

    list_display = ["factor", "weight", "note"]
    list_editable = ["weight"]
    readonly_fields = ["factor"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        from .tasks import priority_recompute_task

        transaction.on_commit(priority_recompute_task.delay)
