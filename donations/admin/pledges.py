"""Admin of pledges: recorded and changed through their service, with what is paid so far."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from fund_portal.admin import ScopedAdminMixin, ServiceErrorsAdminMixin, money_display
from fund_portal.money import format_vnd

from ..models import Pledge
from ..selectors.pledges import pledge_progress
from ..services.pledges import PLEDGE_UPDATABLE_FIELDS, pledge_check, pledge_create, pledge_update


class PledgeAdminForm(forms.ModelForm):
    """The rules of a pledge (`pledge_check`), shown on the form's fields."""

    class Meta:
        model = Pledge
        fields = list(PLEDGE_UPDATABLE_FIELDS)

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        try:
            pledge_check(pledge=self.instance)
        except ValidationError as error:
            self.add_error(None, error)


@admin.register(Pledge)
class PledgeAdmin(ServiceErrorsAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    form = PledgeAdminForm
    list_display = ["donor", "amount_display", "paid_display", "pledged_on", "due_by", "fund"]
    list_select_related = ["donor", "fund"]
    raw_id_fields = ["donor"]
    search_fields = ["donor__name"]
    readonly_fields = ["created_by", "edited_by", "edited_at"]

    amount_display = money_display("amount", _("pledged"))

    @admin.display(description=_("paid"))
    def paid_display(self, obj):
        progress = pledge_progress(pledge=obj)
        text = format_vnd(progress["paid"])
        return format_html("{} <strong>{}</strong>", text, _("overdue")) if progress["overdue"] else text

    def save_model(self, request, obj, form, change):
        data = {k: v for k, v in form.cleaned_data.items() if k in PLEDGE_UPDATABLE_FIELDS}
        if change:
            pledge_update(pledge=obj, by=request.user, **data)
            return
        obj.pk = pledge_create(by=request.user, **data).pk
