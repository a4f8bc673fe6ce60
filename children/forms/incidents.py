"""Forms of incidents (vụ việc): recording one, recording the intervention; the rules are in
`children.services.incidents`."""

from django import forms
from django.utils.translation import gettext_lazy as _

from fund_portal.models import AdministrativeUnit, UnitLevel

from ..models import Child, Incident

#: Typed as dd/mm/yyyy hh:mm (24-hour) in every language: a browser's own date-time picker follows
#: the device's locale (mm/dd and AM/PM on a phone set to English), so a plain text box with the
#: format in its label is the one way every officer reads and types the same date. No `pattern`
#: attribute: the browser would refuse a typo in its own (maybe English) words; the form says it in
#: Vietnamese.
DATETIME_WIDGET = forms.DateTimeInput(
    attrs={
        "placeholder": "dd/mm/yyyy hh:mm",
        "autocomplete": "off",
        "size": 16,
    },
    format="%d/%m/%Y %H:%M",
)


class IncidentForm(forms.ModelForm):
    """What the commune records: where, when, what kind, the child, what happened."""

    reported_at = forms.DateTimeField(
        label=_("Reported at (dd/mm/yyyy hh:mm)"),
        required=False,
        widget=DATETIME_WIDGET,
        help_text=_("When the commune learned of it; empty: now. The 12-hour deadline starts here."),
    )
    actions = forms.CharField(
        label=_("What was done (if already)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    intervened_at = forms.DateTimeField(
        label=_("Intervened at (dd/mm/yyyy hh:mm)"), required=False, widget=DATETIME_WIDGET
    )

    class Meta:
        model = Incident
        fields = [
            "commune",
            "kind",
            "urgent",
            "occurred_at",
            "reported_at",
            "child",
            "child_description",
            "description",
            "actions",
            "intervened_at",
        ]
        widgets = {"occurred_at": DATETIME_WIDGET, "description": forms.Textarea(attrs={"rows": 4})}
        labels = {"occurred_at": _("Occurred at (dd/mm/yyyy hh:mm)")}
        help_texts = {
            "urgent": _("A child at risk of serious harm: the district is alerted at once."),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        communes = AdministrativeUnit.objects.visible_to(user).filter(level=UnitLevel.COMMUNE)
        self.fields["commune"].queryset = communes
        if user.unit_id and communes.filter(pk=user.unit_id).exists():
            self.fields["commune"].initial = user.unit_id
        # A number, not a list: a district holds tens of thousands of children. The child's page
        # links here with the number filled in.
        self.fields["child"].queryset = Child.objects.visible_to(user)
        self.fields["child"].required = False
        self.fields["child"].widget = forms.NumberInput(attrs={"min": 1})
        self.fields["child"].label = _("Registered child (number in the registry)")
        self.fields["child"].help_text = _(
            "Leave empty if the child is not registered, and describe the child below."
        )

    def _post_clean(self):
        """The model is validated by the service (`incident_record`), with the user's scope."""


class InterventionForm(forms.Form):
    """What was done and when; both are required by `intervention_check`, which says so in its own words."""

    actions = forms.CharField(
        label=_("What was done"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    intervened_at = forms.DateTimeField(
        label=_("Intervened at (dd/mm/yyyy hh:mm)"), required=False, widget=DATETIME_WIDGET
    )
