from django import forms
from django.utils.translation import gettext_lazy as _

from children.models import SupportKind
from children.reference.ages import SCHOOL_AGE_BANDS, school_age_band
from fund_portal.forms import MoneyField
from fund_portal.models import AdministrativeUnit, UnitLevel

from .models import Campaign, CampaignEvent, GiftListEntry


class GiftListBuildForm(forms.Form):
    """Who gets a gift at an event: the campaign, the type and value of the gift, a budget or a count."""

    campaign = forms.ModelChoiceField(label=_("Campaign"), queryset=Campaign.objects.none())
    event = forms.ModelChoiceField(label=_("Event"), queryset=CampaignEvent.objects.none(), required=False)
    kind = forms.ChoiceField(
        label=_("Type of support"), choices=SupportKind.choices, initial=SupportKind.GIFT
    )
    value = MoneyField(label=_("Value per child (đồng)"))
    budget = MoneyField(label=_("Budget (đồng)"), required=False)
    count = forms.IntegerField(label=_("Number of children"), min_value=1, required=False)
    communes = forms.ModelMultipleChoiceField(
        label=_("Communes (empty: every participating commune)"),
        queryset=AdministrativeUnit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    age_band = forms.ChoiceField(
        label=_("Age band"),
        choices=[("", _("Any age")), *((key, label) for key, _low, _high, label in SCHOOL_AGE_BANDS)],
        required=False,
        help_text=_("Ages in whole years on the day of the event, else on the campaign's first day."),
    )
    min_age = forms.IntegerField(label=_("Or from the age of"), min_value=0, max_value=15, required=False)
    max_age = forms.IntegerField(label=_("to the age of"), min_value=0, max_value=15, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = Campaign.objects.visible_to(user).order_by("-starts_on")
        self.fields["event"].queryset = CampaignEvent.objects.visible_to(user).select_related("campaign")
        self.fields["communes"].queryset = AdministrativeUnit.objects.visible_to(user).filter(
            level=UnitLevel.COMMUNE
        )

    def clean(self):
        """A band fills in the ages; a band and ages of one's own together are refused, as one of them
        would be silently dropped. Whether the ages make sense is the service's rule."""
        data = super().clean()
        if data.get("age_band"):
            if data.get("min_age") is not None or data.get("max_age") is not None:
                raise forms.ValidationError(_("Choose an age band or give the ages, not both."))
            data["min_age"], data["max_age"] = school_age_band(data["age_band"])
        return data


class HandoverForm(forms.Form):
    """The handover of a gift list: when, by whom, and who did not come."""

    delivered_on = forms.DateField(label=_("Handed over on (dd/mm/yyyy)"))
    handed_over_by = forms.CharField(label=_("Handed over by"), max_length=200, required=False)
    absent = forms.ModelMultipleChoiceField(
        label=_("Absent children (they get nothing now)"),
        queryset=GiftListEntry.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, entries, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["absent"].queryset = entries
        self.fields["absent"].label_from_instance = lambda entry: f"{entry.child.full_name} ({entry.commune})"
