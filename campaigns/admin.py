"""District staff run campaigns in the admin: campaigns with their events and participating communes,
the recurring campaigns, and the gift lists (build, signing sheets, handover). Every write goes
through `campaigns.services`; every list is narrowed by `visible_to`."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from fund_portal.admin import ScopedAdminMixin
from fund_portal.authority import Action, action_required, reads
from fund_portal.exports import xlsx_download
from fund_portal.models import AdministrativeUnit, UnitLevel
from fund_portal.money import format_vnd
from fund_portal.pdf import pdf_response

from . import documents, selectors
from .forms import GiftListBuildForm, HandoverForm
from .models import Campaign, CampaignEvent, CampaignTemplate, GiftList, GiftListEntry
from .services.campaign_templates import (
    campaign_template_check,
    campaign_template_save,
    campaigns_from_templates,
)
from .services.campaigns import campaign_check, campaign_save
from .services.events import event_save
from .services.gift_lists import gift_list_build, gift_list_delete, gift_list_handover


class ScopedManyToManyMixin:
    """Many-to-many choices of scoped records (communes) list only what the user may see."""

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        queryset = db_field.related_model._default_manager.all()
        if hasattr(queryset, "visible_to"):
            queryset = queryset.visible_to(request.user)
            if db_field.related_model is AdministrativeUnit:
                queryset = queryset.filter(level=UnitLevel.COMMUNE)
            kwargs["queryset"] = queryset
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class CampaignAdminForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = [
            "name",
            "slug",
            "kind",
            "unit",
            "starts_on",
            "ends_on",
            "year",
            "target_amount",
            "target_supports",
            "target_support_kind",
            "participating_communes",
            "description",
            "is_public",
        ]

    def _post_clean(self):
        super()._post_clean()
        try:
            campaign_check(
                campaign=self.instance,
                by=self.user,
                communes=self.cleaned_data.get("participating_communes"),
            )
        except ValidationError as error:
            for field, errors in error.error_dict.items():
                self.add_error(field if field in self.fields else None, errors)


class CampaignEventInline(admin.TabularInline):
    model = CampaignEvent
    extra = 0
    fields = ["kind", "name", "starts_at", "place", "description"]


@admin.register(Campaign)
class CampaignAdmin(ScopedManyToManyMixin, ScopedAdminMixin, admin.ModelAdmin):
    form = CampaignAdminForm
    list_display = ["name", "kind", "year", "starts_on", "ends_on", "target_display", "unit", "is_public"]
    list_filter = ["kind", "is_public", "year"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    raw_id_fields = ["unit"]
    filter_horizontal = ["participating_communes"]
    readonly_fields = ["template", "progress_display"]
    inlines = [CampaignEventInline]
    list_select_related = ["unit"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "kind", "unit", "starts_on", "ends_on", "year", "template"]}),
        (_("Targets"), {"fields": ["target_amount", "target_supports", "target_support_kind"]}),
        (None, {"fields": ["participating_communes", "description", "is_public"]}),
        (_("Progress"), {"fields": ["progress_display"]}),
    ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.user = request.user
        return form

    def save_model(self, request, obj, form, change):
        campaign_save(campaign=obj, by=request.user, communes=form.cleaned_data.get("participating_communes"))

    def save_related(self, request, form, formsets, change):
        # The participating communes were set by campaign_save; only the events are left.
        for formset in formsets:
            self.save_formset(request, form, formset, change)

    def save_formset(self, request, form, formset, change):
        events = formset.save(commit=False)
        for event in formset.deleted_objects:
            event.delete()
        for event in events:
            event_save(event=event, by=request.user)

    @admin.display(description=_("target (đồng)"), ordering="target_amount")
    def target_display(self, obj):
        return format_vnd(obj.target_amount)

    @admin.display(description=_("Progress"))
    def progress_display(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        progress = selectors.campaign_progress(campaign=obj)
        lines = [
            (_("Raised"), f"{format_vnd(progress['raised'])} ({progress['amount_percent'] or 0}%)"),
            (_("Money"), format_vnd(progress["cash"])),
            (_("Goods (value)"), format_vnd(progress["goods"])),
            (_("Donors"), progress["donors"]),
            (_("Supports delivered"), f"{progress['supports']} · {format_vnd(progress['supports_value'])}"),
        ]
        for row in selectors.campaign_year_over_year(campaign=obj):
            lines.append((row["name"], f"{format_vnd(row['raised'])} · {row['supports']} {_('supports')}"))
        return format_html(
            "<table>{}</table>", format_html_join("", "<tr><th>{}</th><td>{}</td></tr>", lines)
        )


class CampaignTemplateAdminForm(forms.ModelForm):
    """The rules of a recurring campaign (`campaign_template_check`), shown on the form's fields."""

    class Meta:
        model = CampaignTemplate
        fields = [f.name for f in CampaignTemplate._meta.concrete_fields if f.editable and not f.auto_created]

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        try:
            campaign_template_check(template=self.instance, by=self.user)
        except ValidationError as error:
            self.add_error(None, error)


@admin.register(CampaignTemplate)
class CampaignTemplateAdmin(ScopedAdminMixin, admin.ModelAdmin):
    form = CampaignTemplateAdminForm
    list_display = ["__str__", "kind", "date_rule", "day", "month", "unit", "is_active"]
    list_filter = ["kind", "date_rule", "is_active"]
    raw_id_fields = ["unit"]
    actions = ["make_this_years_campaigns"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.user = request.user
        return form

    def save_model(self, request, obj, form, change):
        campaign_template_save(template=obj, by=request.user)

    @admin.action(permissions=[Action.CAMPAIGN_MANAGE], description=_("Create this year's campaigns"))
    def make_this_years_campaigns(self, request, queryset):
        year = timezone.localdate().year
        try:
            made = campaigns_from_templates(year=year, templates=queryset, by=request.user)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return
        self.message_user(
            request,
            ngettext(
                "%(count)s campaign made for %(year)s.", "%(count)s campaigns made for %(year)s.", len(made)
            )
            % {"count": len(made), "year": year},
            messages.SUCCESS,
        )


class GiftListEntryInline(admin.TabularInline):
    model = GiftListEntry
    extra = 0
    can_delete = False
    fields = ["position", "child", "commune", "value_display", "state"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user).select_related("child", "commune")

    @admin.display(description=_("value (đồng)"))
    def value_display(self, obj):
        return format_vnd(obj.value)

    @admin.display(description=_("Handover"))
    def state(self, obj):
        if obj.support_id:
            return _("Handed over")
        return _("Absent") if obj.absent else _("Waiting")


@admin.register(GiftList)
class GiftListAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "campaign", "event", "kind", "value_display", "children_count", "status"]
    list_filter = ["status", "kind"]
    list_select_related = ["campaign", "event"]
    inlines = [GiftListEntryInline]
    fields = ["campaign", "event", "kind", "value_display", "budget", "count", "status", "documents"]
    readonly_fields = fields

    def has_change_permission(self, request, obj=None):
        return request.method == "GET" and super().has_change_permission(request, obj)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("build/", view(self.build_view), name="campaigns_giftlist_build"),
            path("<int:pk>/handover/", view(self.handover_view), name="campaigns_giftlist_handover"),
            path("<int:pk>/sheet/<int:commune_id>/", view(self.sheet_view), name="campaigns_giftlist_sheet"),
            path("<int:pk>/xlsx/", view(self.xlsx_view), name="campaigns_giftlist_xlsx"),
            *super().get_urls(),
        ]

    def has_delete_permission(self, request, obj=None):
        """A list is discarded only while no gift of it has been handed over (gift_list_delete)."""
        if obj is not None and obj.entries.exclude(support__isnull=True, absent=False).exists():
            return False
        return super().has_delete_permission(request, obj)

    def delete_model(self, request, obj):
        gift_list_delete(gift_list=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for gift_list in queryset:
            try:
                gift_list_delete(gift_list=gift_list, by=request.user)
            except ValidationError as error:
                self.message_user(request, f"{gift_list}: {' '.join(error.messages)}", messages.ERROR)

    @action_required(Action.GIFT_LIST_MANAGE)
    def add_view(self, request, form_url="", extra_context=None):
        return redirect("admin:campaigns_giftlist_build")

    @admin.display(description=_("value per child"))
    def value_display(self, obj):
        return format_vnd(obj.value_per_child)

    @admin.display(description=_("children"))
    def children_count(self, obj):
        return obj.entries.count()

    @admin.display(description=_("Signing sheets and handover"))
    def documents(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        links = [
            (reverse("admin:campaigns_giftlist_sheet", args=[obj.pk, commune.pk]), commune.name)
            for commune in obj.communes.order_by("name")
        ]
        links.append((reverse("admin:campaigns_giftlist_xlsx", args=[obj.pk]), "XLSX"))
        if obj.status == "draft":
            links.append(
                (reverse("admin:campaigns_giftlist_handover", args=[obj.pk]), _("Record the handover"))
            )
        return format_html_join(" · ", '<a href="{}">{}</a>', links)

    def _gift_list(self, request, pk) -> GiftList:
        return get_object_or_404(self.get_queryset(request).select_related("campaign", "event"), pk=pk)

    @action_required(Action.GIFT_LIST_MANAGE)
    def build_view(self, request):
        """Build a gift list: children by priority within a budget or a count (see gift_list_build)."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = GiftListBuildForm(request.POST or None, initial=request.GET.dict(), user=request.user)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                gift_list = gift_list_build(
                    campaign=data["campaign"],
                    by=request.user,
                    event=data["event"],
                    kind=data["kind"],
                    value=data["value"],
                    budget=data["budget"],
                    count=data["count"],
                    communes=list(data["communes"]),
                )
            except ValidationError as error:
                _form_errors(form, error)
            else:
                messages.success(
                    request,
                    _("The list has %(count)s children.") % {"count": gift_list.entries.count()},
                )
                return redirect("admin:campaigns_giftlist_change", gift_list.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "title": _("Build a gift list"),
        }
        return TemplateResponse(request, "admin/campaigns/giftlist_form.html", context)

    @action_required(Action.GIFT_HANDOVER, post_only=True)
    def handover_view(self, request, pk):
        gift_list = self._gift_list(request, pk)
        if not request.user.has_perm("campaigns.change_giftlist"):
            raise PermissionDenied
        entries = selectors.gift_list_entries(gift_list=gift_list, user=request.user).filter(
            support__isnull=True, absent=False
        )
        form = HandoverForm(request.POST or None, entries=entries)
        if request.method == "POST" and form.is_valid():
            try:
                supports = gift_list_handover(
                    gift_list=gift_list,
                    by=request.user,
                    delivered_on=form.cleaned_data["delivered_on"],
                    handed_over_by=form.cleaned_data["handed_over_by"],
                    absent_child_ids=[entry.child_id for entry in form.cleaned_data["absent"]],
                )
            except ValidationError as error:
                _form_errors(form, error)
            else:
                messages.success(request, _("%(count)s supports recorded.") % {"count": len(supports)})
                return redirect("admin:campaigns_giftlist_change", gift_list.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "gift_list": gift_list,
            "title": _("Record the handover"),
        }
        return TemplateResponse(request, "admin/campaigns/giftlist_handover.html", context)

    @reads
    def sheet_view(self, request, pk, commune_id):
        gift_list = self._gift_list(request, pk)
        pdf, filename = documents.gift_list_signing_sheet(
            gift_list=gift_list, user=request.user, commune_id=commune_id
        )
        return pdf_response(pdf, filename)

    @reads
    def xlsx_view(self, request, pk):
        data, filename = documents.gift_list_xlsx(gift_list=self._gift_list(request, pk), user=request.user)
        return xlsx_download(data, filename)


def _form_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
