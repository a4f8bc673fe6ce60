"""Campaigns in the admin: the campaign with its events, participating communes and progress."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from campaigns import selectors
from campaigns.models import Campaign, CampaignEvent
from campaigns.services.campaigns import campaign_check, campaign_save
from campaigns.services.events import event_save
from fund_portal.admin import ScopedAdminMixin, money_display
from fund_portal.forms import form_service_errors
from fund_portal.models import AdministrativeUnit, UnitLevel
from fund_portal.money import format_vnd


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
            form_service_errors(self, error)


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

    target_display = money_display("target_amount", _("target (đồng)"))

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
