"""Admin of funds and their bank accounts."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from children.tasks import priority_funds_changed
from fund_portal.admin import ScopedAdminMixin
from fund_portal.public_cache import public_cache_bump_on_commit

from ..models import BankAccount, Fund
from ..selectors.public_funds import public_funds_forget


class BankAccountInline(admin.TabularInline):
    model = BankAccount
    extra = 0


class FundAdminForm(forms.ModelForm):
    """A fund's host name as people type it: in any case, with spaces or a final dot, read as the one
    host name it is; with a scheme, a port or a path, refused with what to type instead. (Its model and
    fields are the admin's.)"""

    def clean_public_host(self):
        host = (self.cleaned_data.get("public_host") or "").strip().lower().removesuffix(".")
        if not host:
            return None
        if "://" in host:
            raise ValidationError(_("Type the host name only, without http:// or https://."))
        if "/" in host:
            raise ValidationError(_("Type the host name only, without a slash or a path after it."))
        if ":" in host:
            raise ValidationError(_("Type the host name without a port: the public pages use the usual one."))
        return host


@admin.register(Fund)
class FundAdmin(ScopedAdminMixin, admin.ModelAdmin):
    form = FundAdminForm
    list_display = ["name", "code", "unit", "public_host", "is_active"]
    search_fields = ["name", "code", "public_host"]
    inlines = [BankAccountInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change or {"unit", "is_active"} & set(form.changed_data):
            priority_funds_changed()  # the fund that governs some communes, and so their weights, changed
        # Its public identity (name, host, thresholds) shows at once: here, and in the other workers
        # within a second (`donations.selectors.public_funds`).
        public_funds_forget()
        public_cache_bump_on_commit(unit_ids=None if "unit" in form.changed_data else [obj.unit_id])
