"""The form of support given to a child or a commune."""

from django import forms
from django.utils.translation import gettext_lazy as _

from campaigns.selectors import campaigns_open_to
from donations.models import Disbursement, DisbursementStatus, RecipientKind
from fund_portal.forms import MoneyField
from fund_portal.models import AdministrativeUnit, UnitLevel

from ..models import SupportKind, SupportSource


class SupportForm(forms.Form):
    """Support a child received, or support to a commune (play equipment) when there is no child."""

    commune = forms.ModelChoiceField(
        label=_("Commune"), queryset=AdministrativeUnit.objects.none(), required=False
    )
    kind = forms.ChoiceField(label=_("Type"), choices=SupportKind.choices)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, initial=1)
    value = MoneyField(label=_("Value (đồng)"), allow_zero=True)
    delivered_on = forms.DateField(label=_("Delivered on (dd/mm/yyyy)"))
    source = forms.ChoiceField(label=_("Source"), choices=SupportSource.choices)
    campaign = forms.ModelChoiceField(label=_("Campaign"), queryset=None, required=False)
    sponsorship = forms.ModelChoiceField(label=_("Sponsorship"), queryset=None, required=False)
    disbursement = forms.ModelChoiceField(
        label=_("Fund disbursement it came from"), queryset=None, required=False
    )
    handed_over_by = forms.CharField(label=_("Handed over by"), required=False, max_length=200)
    note = forms.CharField(label=_("Note"), required=False, max_length=255)
    confirm_overlap = forms.BooleanField(
        label=_("I have checked: this is not the same support given twice"), required=False
    )

    def __init__(self, *args, user, child=None, **kwargs):

        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaigns_open_to(user=user)
        self.fields["disbursement"].queryset = (
            Disbursement.objects.visible_to(user)
            .filter(
                status=DisbursementStatus.APPROVED,
                recipient_kind__in=[RecipientKind.CHILDREN, RecipientKind.PLAY_AREA],
            )
            .order_by("-spent_on")
        )
        if child is not None:
            del self.fields["commune"]
            self.fields["sponsorship"].queryset = child.sponsorships.select_related("donor")
        else:
            self.fields["commune"].queryset = AdministrativeUnit.objects.visible_to(user).filter(
                level=UnitLevel.COMMUNE
            )
            self.fields["commune"].required = True
            self.fields["kind"].initial = SupportKind.PLAY_EQUIPMENT
            del self.fields["sponsorship"]
