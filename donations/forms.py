"""Forms of the donations app: the public donation form first."""

import secrets

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign
from campaigns.selectors import campaigns_open_to
from fund_portal.forms import MoneyField
from fund_portal.models import AdministrativeUnit, UnitLevel
from fund_portal.money import format_vnd

from .models import DisplayPreference, DonationKind, Fund, NeedArea, RestrictionKind

PRESET_AMOUNTS = [100_000, 200_000, 500_000, 1_000_000, 2_000_000, 5_000_000]
MINIMUM_ONLINE_AMOUNT = 10_000
OTHER = "other"


def new_client_token() -> str:
    return secrets.token_urlsafe(24)


class PublicDonationForm(forms.Form):
    """What a member of the public fills in before transferring money with VietQR."""

    preset = forms.ChoiceField(
        label=_("Amount"),
        required=False,
        widget=forms.RadioSelect,
        choices=[(str(a), format_vnd(a)) for a in PRESET_AMOUNTS] + [(OTHER, _("Another amount"))],
    )
    amount = MoneyField(label=_("Another amount (đồng)"), required=False)
    purpose = forms.ChoiceField(label=_("Use my donation for"), required=False)
    display_preference = forms.ChoiceField(
        label=_("On the public list of donors, show"),
        choices=DisplayPreference.choices,
        initial=DisplayPreference.FULL_NAME,
        widget=forms.RadioSelect,
    )
    name = forms.CharField(label=_("Your name (optional)"), max_length=200, required=False)
    phone = forms.CharField(label=_("Phone (optional)"), max_length=20, required=False)
    email = forms.EmailField(label=_("Email, for your receipt (optional)"), required=False)
    message = forms.CharField(
        label=_("Message (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    client_token = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, fund=None, unit_path: str | None = None, **kwargs):
        """`unit_path`: the units whose campaigns the page's fund offers (None: every campaign)."""
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        campaigns = Campaign.objects.filter(is_public=True, starts_on__lte=today, ends_on__gte=today)
        if unit_path is not None:
            campaigns = campaigns.filter(unit__path__startswith=unit_path)
        self.campaigns = {str(c.pk): c for c in campaigns}
        communes = []
        if fund is not None:
            under_fund = AdministrativeUnit.objects.filter(path__startswith=fund.unit.path)
            communes = under_fund.filter(level=UnitLevel.COMMUNE).order_by("name")
        self.communes = {str(unit.pk): unit for unit in communes}
        self.fields["purpose"].choices = (
            [("", _("Where the need is greatest"))]
            + [(f"campaign:{pk}", c.name) for pk, c in self.campaigns.items()]
            + [(f"need:{value}", label) for value, label in NeedArea.choices]
            + [(f"commune:{pk}", unit.name) for pk, unit in self.communes.items()]
        )

    def clean(self):
        data = super().clean()
        preset, amount = data.get("preset"), data.get("amount")
        if preset and preset != OTHER:
            data["amount"] = int(preset)
        elif amount is None and "amount" not in self.errors:
            self.add_error("amount", _("Choose an amount or type another one."))
        if data.get("amount") is not None and data["amount"] < MINIMUM_ONLINE_AMOUNT:
            self.add_error(
                "amount",
                _("The smallest online donation is %(min)s.") % {"min": format_vnd(MINIMUM_ONLINE_AMOUNT)},
            )
        elif data.get("amount") is not None and data["amount"] > settings.DONATION_MAX_AMOUNT:
            self.add_error(
                "amount",
                _("The largest online donation is %(max)s.")
                % {"max": format_vnd(settings.DONATION_MAX_AMOUNT)},
            )
        data.update(self._restriction(data.get("purpose") or ""))
        return data

    def _restriction(self, purpose: str) -> dict:
        kind, _sep, value = purpose.partition(":")
        if kind == "campaign":
            campaign = self.campaigns[value]
            return {
                "campaign": campaign,
                "restriction": RestrictionKind.CAMPAIGN,
                "restriction_campaign": campaign,
            }
        if kind == "need":
            return {"restriction": RestrictionKind.NEED_AREA, "restriction_need": value}
        if kind == "commune" and value in self.communes:
            return {"restriction": RestrictionKind.COMMUNE, "restriction_unit": self.communes[value]}
        if purpose:
            raise ValidationError(_("Choose a use from the list."))
        return {"restriction": RestrictionKind.NONE}


class OfficerDonationForm(forms.Form):
    """Money or goods received at a commune, recorded and receipted by the commune officer."""

    fund = forms.ModelChoiceField(label=_("Fund"), queryset=None)
    kind = forms.ChoiceField(label=_("Received as"), choices=DonationKind.choices, initial=DonationKind.CASH)
    amount = MoneyField(label=_("Amount, or value of the goods (đồng)"))
    received_on = forms.DateField(label=_("Received on (dd/mm/yyyy)"))
    donor_name = forms.CharField(
        label=_("Given by"),
        max_length=200,
        required=False,
        help_text=_("Leave empty for an anonymous benefactor."),
    )
    display_preference = forms.ChoiceField(
        label=_("How the donor wants to be shown on the public list of donors"),
        choices=DisplayPreference.choices,
        initial=DisplayPreference.ANONYMOUS,
        required=False,
        widget=forms.RadioSelect,
        help_text=_("Ask the donor. Unless they agree to their name being shown, keep “Anonymous”."),
    )
    goods_description = forms.CharField(label=_("Goods"), max_length=255, required=False)
    goods_quantity = forms.IntegerField(label=_("Quantity"), min_value=1, required=False)
    goods_unit = forms.CharField(label=_("Unit of measure"), max_length=30, required=False)
    campaign = forms.ModelChoiceField(label=_("Campaign (optional)"), queryset=None, required=False)
    message = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        funds = Fund.objects.visible_to(user).filter(is_active=True)
        self.fields["fund"].queryset = funds
        only = list(funds.values_list("pk", flat=True)[:2])
        if len(only) == 1:  # a commune officer's one fund
            self.fields["fund"].initial = only[0]
        self.fields["campaign"].queryset = campaigns_open_to(user=user)

    def clean_display_preference(self):
        """Nothing chosen is the safe choice: anonymous."""
        return self.cleaned_data.get("display_preference") or DisplayPreference.ANONYMOUS


class ProposalForm(forms.Form):
    """A commune's proposal of support, paid by a fund once district staff approve it."""

    fund = forms.ModelChoiceField(label=_("Paid by fund"), queryset=None)
    amount = MoneyField(label=_("Amount (đồng)"))
    purpose = forms.CharField(label=_("Purpose"), max_length=255)
    need_area = forms.ChoiceField(
        label=_("Need area"), choices=[("", "—"), *NeedArea.choices], required=False
    )
    spent_on = forms.DateField(
        label=_("Planned date (dd/mm/yyyy)"),
        widget=forms.DateInput(
            format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"}
        ),
        help_text=_(
            "May be in the future, up to a year ahead: the money is paid on that day at the earliest."
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from .selectors.funds import funds_for_proposal

        self.fields["fund"].queryset = funds_for_proposal(user=user)
