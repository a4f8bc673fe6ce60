from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Cadence


class BuildForm(forms.Form):
    cadence = forms.ChoiceField(
        label=_("Report"),
        choices=[(Cadence.SEMIANNUAL, Cadence.SEMIANNUAL.label), (Cadence.ANNUAL, Cadence.ANNUAL.label)],
    )
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year


class NarrativeForm(forms.Form):
    results = forms.CharField(label=_("Results"), required=False, widget=forms.Textarea(attrs={"rows": 5}))
    difficulties = forms.CharField(
        label=_("Difficulties"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    proposals = forms.CharField(
        label=_("Proposals"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class ReturnForm(forms.Form):
    comment = forms.CharField(label=_("What must be corrected"), widget=forms.Textarea(attrs={"rows": 4}))
