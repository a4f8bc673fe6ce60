"""District staff see their district's children; sensitive fields need the permission; views are logged."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy

from fund_portal.admin import (
    OneRowLinkChangeList,
    ReadOnlyAdminMixin,
    ScopedAdminMixin,
    ServiceErrorsAdminMixin,
)
from fund_portal.audit import RESTRICTED_VALUE
from fund_portal.models import UnitLevel
from fund_portal.paginators import CappedKeysetPaginator
from fund_portal.scope import scope_province_id
from fund_portal.text import fold

from ..models import (
    AccessAction,
    AccessLog,
    Child,
    ChildStatusChange,
    Circumstance,
    ConsentChange,
    Need,
    Review,
    Support,
)
from ..selectors.registry import can_see_sensitive
from ..services import registry as services
from .duplicates import ChildDuplicatesAdminMixin
from .imports import ChildImportExportAdminMixin


class CircumstanceForm(forms.ModelForm):
    """A group added on the child's page, checked by `circumstance_check` so refusals show here."""

    def clean(self):
        data = super().clean()
        if self.instance.pk is None and not self.errors and not data.get("DELETE") and data.get("group"):
            try:
                services.circumstance_check(
                    child=self.child,
                    by=self.user,
                    group=data["group"],
                    subgroup=data.get("subgroup", ""),
                    identified_on=data["identified_on"],
                )
            except ValidationError as error:
                self.add_error(None, error)
        return data


class CircumstanceInline(admin.TabularInline):
    """Groups are added and removed through `circumstance_add` / `circumstance_remove` (see
    `ChildAdmin.save_formset`); a recorded one is removed and added again, not edited."""

    model = Circumstance
    form = CircumstanceForm
    extra = 0

    def has_change_permission(self, request, obj=None):
        return False

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form.user, formset.form.child = request.user, obj
        return formset

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if can_see_sensitive(request.user):
            return queryset
        from ..reference.circumstances import SENSITIVE_CODES

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


class ChildAdminForm(forms.ModelForm):
    """The child's record, checked by the registry's services so their refusals show on the form."""

    confirm_not_duplicate = forms.BooleanField(
        label=gettext_lazy("This is another child, not one already registered"), required=False
    )

    class Meta:
        model = Child
        fields = list(services.UPDATABLE_FIELDS)

    def clean(self):
        """A personal ID held by a record outside the user's unit is refused in words that do not say
        it exists (the model's uniqueness check would), and the staff who see both are told."""
        data = super().clean()
        if data.get("personal_id") and "personal_id" not in self.errors:
            try:
                services.personal_id_check_elsewhere(
                    personal_id=data["personal_id"],
                    by=self.user,
                    commune=data.get("commune"),
                    full_name=data.get("full_name", ""),
                    birth_date=data.get("birth_date"),
                    exclude_pk=self.instance.pk,
                )
            except ValidationError as error:
                self.add_error("personal_id", error.error_dict["personal_id"])
        return data

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        try:
            if self.instance.pk is None:
                services.child_register_check(
                    child=self.instance,
                    by=self.user,
                    confirm_not_duplicate=self.cleaned_data.get("confirm_not_duplicate", False),
                )
            else:
                services.child_check(child=self.instance, by=self.user)
        except ValidationError as error:
            self.add_error(None, error)


class ConsentChangeInline(ReadOnlyInline):
    model = ConsentChange
    fields = readonly_fields = ["at", "data_consent", "story_consent", "withdrawn", "by"]


def _change_message_restricted(message: str) -> str:
    """An admin change message (JSON) with the names of sensitive groups' rows replaced by "[restricted]"."""
    import json
    import re

    from ..reference.circumstances import is_sensitive

    try:
        parts = json.loads(message)
    except ValueError:
        parts = None
    if not isinstance(parts, list):
        # A plain-text message (written by code, not by the admin's forms): any sensitive code goes.
        return re.sub(
            r"G\d{2}", lambda m: str(RESTRICTED_VALUE) if is_sensitive(m.group()) else m.group(), message
        )
    for part in parts:
        for detail in part.values() if isinstance(part, dict) else ():
            name = detail.get("object") if isinstance(detail, dict) else None
            code = re.search(r": (G\d{2})(\.\d+)?$", name or "")
            if code and is_sensitive(code.group(1)):
                detail["object"] = str(RESTRICTED_VALUE)
    return json.dumps(parts)


@admin.register(Child)
class ChildAdmin(
    ChildImportExportAdminMixin,
    ChildDuplicatesAdminMixin,
    ServiceErrorsAdminMixin,
    ScopedAdminMixin,
    admin.ModelAdmin,
):
    """A child is registered and changed through `child_register` / `child_update`; status, consent
    and the priority set by hand have their own services (with a reason, a date, who recorded it)
    and are changed on the portal's pages, so they are read-only here."""

    form = ChildAdminForm
    # A province's 100,000 children: the count stops at 10,000 and is not made twice (as for donations);
    # a deep page is reached by the name's key along child_name_idx, not by sorting the province.
    paginator = CappedKeysetPaginator
    # The key's steps walk that index only when PostgreSQL knows the scope is most of the table: with
    # the path's subquery it estimated a province's children at 3,000 of 100,000 once every commune of
    # the country had its villages, and sorted the province for each step (50 ms a step, 200 ms the
    # last page). A province's units (its communes and villages) are named by their ids.
    scope_ids_up_to = 5_000
    scope_ids_level = UnitLevel.COMMUNE  # a child's commune is a commune: 99 ids, not 600 with villages
    show_full_result_count = False
    # 50 a page (Django's 100 is two screens of a province's registry; the portal's list shows 30).
    list_per_page = 50
    list_display = ["full_name", "birth_date", "sex", "commune", "village", "poverty", "status"]
    # The page's rows read only what the list shows (`OneRowLinkChangeList.get_results`): a child's label
    # is its full name, a commune's or village's its name.
    list_only = [
        *("full_name", "birth_date", "sex", "commune__name", "village__name", "poverty", "status"),
        "name_folded",  # the list's order
    ]
    list_filter = ["status", "poverty", "sex", "out_of_school"]
    search_fields = ["name_folded", "personal_id"]
    list_select_related = ["commune", "village"]
    raw_id_fields = ["commune", "village"]
    inlines = [
        CircumstanceInline,
        NeedInline,
        SupportInline,
        ReviewInline,
        StatusChangeInline,
        ConsentChangeInline,
    ]
    readonly_fields = [
        "name_folded",
        "status",
        "data_consent",
        "story_consent",
        "data_restricted",
        "story",
        "priority_score",
        "priority_override",
        "priority_override_reason",
        "priority",
        "last_reviewed_year",
        "merged_into",
    ]

    def get_changelist(self, request, **kwargs):
        return OneRowLinkChangeList

    def get_queryset(self, request):
        """A province's staff's children name their province besides the scope (`scope_province_id`):
        a page is then one range of `child_province_name_idx`, where through the province's communes
        each step of a deep page walked the country's name index (2.9% of it the province's)."""
        children = super().get_queryset(request)
        province = scope_province_id(request.user)
        return children.filter(province_id=province) if province else children

    def get_exclude(self, request, obj=None):
        return [] if can_see_sensitive(request.user) else ["health_notes"]

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if obj is not None:  # the duplicate check is made when a child is registered
            fields = [f for f in fields if f != "confirm_not_duplicate"]
        return fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.user = request.user
        return form

    def save_model(self, request, obj, form, change):
        data = {
            name: form.cleaned_data[name] for name in services.UPDATABLE_FIELDS if name in form.cleaned_data
        }
        if data.get("photo") is False:  # "clear" ticked: as the model form stores it
            data["photo"] = ""
        elif "photo" in data and data["photo"] is None:
            del data["photo"]
        if change:
            services.child_update(child=Child.objects.get(pk=obj.pk), by=request.user, **data)
            return
        child = services.child_register(
            by=request.user,
            confirm_not_duplicate=form.cleaned_data.get("confirm_not_duplicate", False),
            **data,
        )
        obj.pk = child.pk

    def save_formset(self, request, form, formset, change):
        """Only the groups are written here (the other inlines are read-only), through the services."""
        if formset.model is not Circumstance:
            formset.save(commit=False)  # writes nothing; sets what the admin's change message reads
            return
        child = Child.objects.get(pk=form.instance.pk)
        added = formset.save(commit=False)
        for item in formset.deleted_objects:
            services.circumstance_remove(circumstance=item, by=request.user)
        for item in added:
            if item.pk is None:
                services.circumstance_add(
                    child=child,
                    by=request.user,
                    group=item.group,
                    subgroup=item.subgroup,
                    identified_on=item.identified_on,
                    note=item.note,
                )

    def get_readonly_fields(self, request, obj=None):
        """The computed score only with the permission: each group has its own weight, so the score
        less what the user can see names a restricted group (`children.priority.priority_shown`)."""
        if can_see_sensitive(request.user):
            return self.readonly_fields
        return [f for f in self.readonly_fields if f not in ("priority_score", "priority")]

    def get_search_results(self, request, queryset, search_term):

        return super().get_search_results(request, queryset, fold(search_term))

    def history_view(self, request, object_id, extra_context=None):
        """Django's own change history names the rows added or removed in the inlines ("Added special
        circumstance “An: G12”"): without the permission, a sensitive group's row is not named."""
        response = super().history_view(request, object_id, extra_context)
        context = getattr(response, "context_data", None)
        if context is None or "action_list" not in context or can_see_sensitive(request.user):
            return response
        for entry in context["action_list"]:
            entry.change_message = _change_message_restricted(entry.change_message)
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # get_object, not filter(pk=...): it is None for an id that is no number ("/child/x/change/").
        response = super().change_view(request, object_id, form_url, extra_context)
        child = self.get_object(request, object_id)
        if child is not None and request.method == "GET" and response.status_code == 200:
            services.access_log(user=request.user, action=AccessAction.VIEW, child=child)
        return response


@admin.register(AccessLog)
class AccessLogAdmin(ScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Who looked at or exported children's data: read by district staff, never edited."""

    list_display = ["at", "user", "action", "child", "children_count", "reason"]
    list_filter = ["action"]
    list_select_related = ["user", "child"]
