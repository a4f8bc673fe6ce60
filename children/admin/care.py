"""The admin of the priority formula's weights: the default set (the system administrator's) and each
fund's own weights (its staff's). Every write goes through `children.services.weights`."""

from django import forms
from django.contrib import admin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from donations.models import Fund
from fund_portal.admin import ServiceErrorsAdminMixin, TolerantChangeListMixin
from fund_portal.authority import Action, AuthorityAdminMixin, may
from fund_portal.scope import sees_everything

from ..models import PriorityWeight
from ..priority import DEFAULT_WEIGHTS, factor_label
from ..services.weights import priority_weight_remove, priority_weight_set


class PriorityWeightForm(forms.ModelForm):
    factor = forms.ChoiceField(label=_("factor"), choices=())

    class Meta:
        model = PriorityWeight
        fields = ["fund", "factor", "weight", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "factor" in self.fields:  # not on a change page, where the factor is read-only
            self.fields["factor"].choices = [(factor, factor_label(factor)) for factor in DEFAULT_WEIGHTS]


@admin.register(PriorityWeight)
class PriorityWeightAdmin(
    ServiceErrorsAdminMixin, TolerantChangeListMixin, AuthorityAdminMixin, admin.ModelAdmin
):
    """The weights of the priority formula (see `children.priority`): the default set, shown to all staff
    and changed by the system administrator only, and the own weights of the funds the user reaches,
    which override the default for the children each fund governs. Saving one recomputes those children."""

    form = PriorityWeightForm
    list_display = ["factor_name", "fund_name", "weight", "note"]
    list_filter = [("fund", admin.EmptyFieldListFilter)]
    list_select_related = ["fund"]
    search_fields = ["factor", "fund__name"]
    actions = None  # no bulk delete: one at a time, through the service

    def get_queryset(self, request):
        funds = Fund.objects.visible_to(request.user).values("pk")
        return super().get_queryset(request).filter(Q(fund__isnull=True) | Q(fund__in=funds))

    def get_readonly_fields(self, request, obj=None):
        return ["fund", "factor"] if obj is not None else []

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is None and "fund" in form.base_fields:
            # Only the system administrator adds to the default set (an empty fund).
            form.base_fields["fund"].required = not sees_everything(request.user)
        return form

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "fund":
            kwargs["queryset"] = Fund.objects.visible_to(request.user).filter(is_active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("factor"), ordering="factor")
    def factor_name(self, obj):
        return factor_label(obj.factor)

    @admin.display(description=_("fund"), ordering="fund__name")
    def fund_name(self, obj):
        return obj.fund.name if obj.fund_id else _("Default set")

    def _may_write(self, request, obj) -> bool:
        if not may(request.user, Action.CHILD_PRIORITY):
            return False
        if obj is None or obj.fund_id is None:
            return obj is None or sees_everything(request.user)
        return Fund.objects.visible_to(request.user).filter(pk=obj.fund_id).exists()

    def has_add_permission(self, request):
        return super().has_add_permission(request) and self._may_write(request, None)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._may_write(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.fund_id is None:
            return False  # the default set is changed, never removed
        return super().has_delete_permission(request, obj) and self._may_write(request, obj)

    def save_model(self, request, obj, form, change):
        row = priority_weight_set(
            by=request.user, fund=obj.fund, factor=obj.factor, weight=obj.weight, note=obj.note
        )
        obj.pk, obj._state.adding = row.pk, False

    def delete_model(self, request, obj):
        priority_weight_remove(by=request.user, weight=obj)
