"""Gift lists in the admin: build a list, the signing sheets and the XLSX, record the handover."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from campaigns import documents
from campaigns.forms import GiftListBuildForm
from campaigns.models import GiftList, GiftListEntry
from campaigns.services.gift_lists import gift_list_build, gift_list_delete
from campaigns.views import handover_form
from fund_portal.admin import ScopedAdminMixin, admin_page, money_display
from fund_portal.authority import Action, action_required, reads
from fund_portal.exports import xlsx_download
from fund_portal.forms import form_service_errors
from fund_portal.pdf import pdf_response


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

    value_display = money_display("value", _("value (đồng)"), sortable=False)

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
    fields = [
        "campaign",
        "event",
        "kind",
        "value_display",
        "budget",
        "count",
        "age_band",
        "status",
        "documents",
    ]
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

    value_display = money_display("value_per_child", _("value per child"), sortable=False)

    @admin.display(description=_("Age band"))
    def age_band(self, obj):
        if obj.min_age is None and obj.max_age is None:
            return _("Any age")
        return _("%(min)s to %(max)s years on %(day)s") % {
            "min": obj.min_age or 0,
            "max": 15 if obj.max_age is None else obj.max_age,
            "day": obj.ages_on.strftime("%d/%m/%Y") if obj.ages_on else "—",
        }

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
                    min_age=data["min_age"],
                    max_age=data["max_age"],
                )
            except ValidationError as error:
                form_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("The list has %(count)s children.") % {"count": gift_list.entries.count()},
                )
                return redirect("admin:campaigns_giftlist_change", gift_list.pk)
        context = {
            "form": form,
            "title": _("Build a gift list"),
        }
        return admin_page(self, request, "admin/campaigns/giftlist_form.html", context)

    @action_required(Action.GIFT_HANDOVER, post_only=True)
    def handover_view(self, request, pk):
        gift_list = self._gift_list(request, pk)
        if not request.user.has_perm("campaigns.change_giftlist"):
            raise PermissionDenied
        form, recorded = handover_form(request, gift_list)
        if recorded:
            return redirect("admin:campaigns_giftlist_change", gift_list.pk)
        context = {
            "form": form,
            "gift_list": gift_list,
            "title": _("Record the handover"),
        }
        return admin_page(self, request, "admin/campaigns/giftlist_handover.html", context)

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
