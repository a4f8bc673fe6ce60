"""Forms of a child's care: the needs assessment, the priority set by hand, the yearly review."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import ReviewOutcome
from .registry import _area_choices

URGENCY_CHOICES = [("", _("No need")), ("1", _("Low")), ("2", _("Medium")), ("3", _("High"))]


class NeedsForm(forms.Form):
    """The yearly needs assessment: one urgency and note per area."""

    assessed_on = forms.DateField(label=_("Assessed on (dd/mm/yyyy)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for area, label in _area_choices():
            self.fields[f"urgency_{area}"] = forms.TypedChoiceField(
                label=label, choices=URGENCY_CHOICES, coerce=int, empty_value=None, required=False
            )
            self.fields[f"note_{area}"] = forms.CharField(
                label=_("Note: %(area)s") % {"area": label}, required=False, max_length=255
            )

    def area_rows(self):
        return [(self[f"urgency_{area}"], self[f"note_{area}"]) for area, _label in _area_choices()]

    def needs(self) -> dict[str, tuple[int, str]]:
        return {
            area: (self.cleaned_data[f"urgency_{area}"], self.cleaned_data[f"note_{area}"])
            for area, _label in _area_choices()
            if self.cleaned_data.get(f"urgency_{area}")
        }


class PriorityOverrideForm(forms.Form):
    value = forms.IntegerField(
        label=_("Priority set by hand (empty: use the computed score)"),
        required=False,
        min_value=0,
        max_value=1000,
    )
    reason = forms.CharField(label=_("Reason"), required=False, max_length=255)


class ReviewForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=ReviewOutcome.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=255)
