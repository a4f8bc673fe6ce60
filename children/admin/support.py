"""The admin of supports and sponsorships: written through the services of `children.services.support`."""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from fund_portal.admin import ScopedAdminMixin, ServiceErrorsAdminMixin

from ..models import Sponsorship, Support
from ..services import support as services


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
class SponsorshipAdmin(ServiceErrorsAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
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

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:  # another donor or child is another sponsorship
            return [*self.readonly_fields, "donor", "child"]
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            services.sponsorship_update(
                sponsorship=obj,
                by=request.user,
                **{k: v for k, v in form.cleaned_data.items() if k in services.SPONSORSHIP_UPDATABLE_FIELDS},
            )
            return
        saved = _sponsorship_start(request, form.cleaned_data)
        obj.pk, obj.token = saved.pk, saved.token

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)

        class CheckedForm(form):
            """Runs the service's checks (writing nothing) so its refusals show on the form."""

            def clean(self):
                data = super().clean()
                if self.errors:
                    return data
                terms = _sponsorship_terms(
                    data if obj is None else {"donor": obj.donor, "child": obj.child, **data}
                )
                candidate = Sponsorship(pk=None if obj is None else obj.pk, **terms)  # with a pk: a change
                try:
                    services.sponsorship_check(by=request.user, sponsorship=candidate)
                except ValidationError as error:
                    raise ValidationError(error.messages) from None
                return data

        return CheckedForm


def _sponsorship_terms(data) -> dict:
    """The form's sponsorship: its donor, child and terms."""
    return {
        "donor": data["donor"],
        "child": data["child"],
        "starts_on": data["starts_on"],
        "ends_on": data.get("ends_on"),
        "monthly_amount": data.get("monthly_amount"),
        "goods": data.get("goods", ""),
    }


def _sponsorship_start(request, data) -> Sponsorship:
    return services.sponsorship_start(by=request.user, **_sponsorship_terms(data), note=data.get("note", ""))
