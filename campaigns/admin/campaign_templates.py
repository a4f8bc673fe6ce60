"""Recurring campaigns in the admin, and the action that makes this year's campaigns from them."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from campaigns.models import CampaignTemplate
from campaigns.services.campaign_templates import (
    campaign_template_check,
    campaign_template_save,
    campaign_templates_adopt,
    campaigns_from_templates,
)
from fund_portal.admin import ScopedAdminMixin
from fund_portal.authority import Action
from fund_portal.forms import ServiceCheckedAdminMixin, service_checked_form


@admin.register(CampaignTemplate)
class CampaignTemplateAdmin(ServiceCheckedAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    # The rules of a recurring campaign (`campaign_template_check`), shown on the form's fields.
    form = service_checked_form(
        CampaignTemplate, lambda record, by: campaign_template_check(template=record, by=by)
    )
    list_display = ["__str__", "kind", "date_rule", "day", "month", "unit", "is_active"]
    list_filter = ["kind", "date_rule", "is_active"]
    raw_id_fields = ["unit"]
    actions = ["make_this_years_campaigns", "take_up_for_my_unit"]

    def save_model(self, request, obj, form, change):
        campaign_template_save(template=obj, by=request.user)

    def _run(self, request, work) -> None:
        """Run an action's service and say what it did, or show its refusal; nothing is written then."""
        try:
            message = work()
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return
        self.message_user(request, message, messages.SUCCESS)

    @admin.action(permissions=[Action.CAMPAIGN_MANAGE], description=_("Create this year's campaigns"))
    def make_this_years_campaigns(self, request, queryset):
        year = timezone.localdate().year

        def work() -> str:
            made = campaigns_from_templates(year=year, templates=queryset, by=request.user)
            return ngettext(
                "%(count)s campaign made for %(year)s.", "%(count)s campaigns made for %(year)s.", len(made)
            ) % {"count": len(made), "year": year}

        self._run(request, work)

    @admin.action(
        permissions=[Action.CAMPAIGN_MANAGE], description=_("Take up the national calendar for my unit")
    )
    def take_up_for_my_unit(self, request, queryset):
        unit = request.user.unit
        if unit is None:
            self.message_user(
                request, _("Your account has no unit to take the calendar up for."), messages.ERROR
            )
            return

        def work() -> str:
            copies = campaign_templates_adopt(unit=unit, templates=queryset, by=request.user)
            return ngettext(
                "%(count)s recurring campaign of the national calendar taken up for %(unit)s.",
                "%(count)s recurring campaigns of the national calendar taken up for %(unit)s.",
                len(copies),
            ) % {"count": len(copies), "unit": unit.name}

        self._run(request, work)
