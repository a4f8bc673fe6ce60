"""Forms of incidents (vụ việc): recording one, recording the intervention; the rules are in
`children.services.incidents`."""

from django import forms
from django.utils.translation import gettext_lazy as _

from fund_portal.scope import communes_reached

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


def child_label(child: Child) -> str:
    """A child as a choice: name, date of birth, village or commune (enough to tell two namesakes)."""
    place = child.village or child.commune
    return f"{child.full_name} ({child.birth_date:%d/%m/%Y}, {place})"


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

    child_search = forms.CharField(
        label=_("Find a registered child by name (diacritics optional)"), required=False, max_length=120
    )

    field_order = ["commune", "kind", "urgent", "occurred_at", "reported_at", "child_search", "child"]

    def __init__(self, *args, user, candidates=(), fixed_child=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fixed_child = None
        communes = communes_reached(user)
        self.fields["commune"].queryset = communes
        only = list(communes.values_list("pk", flat=True)[:2])
        if user.unit_id and communes.filter(pk=user.unit_id).exists():
            self.fields["commune"].initial = user.unit_id
        elif len(only) == 1:  # a village volunteer: their village's commune
            self.fields["commune"].initial = only[0]
        # Any child the user sees is accepted; the choices shown are the children found by name (a
        # district holds tens of thousands), or the one child fixed by the child's page.
        field = self.fields["child"]
        field.queryset = Child.objects.visible_to(user)
        field.required = False
        field.label = _("Registered child")
        if fixed_child is not None:
            field.widget = forms.HiddenInput()
            self.fixed_child = fixed_child
            self.initial["child"] = fixed_child.pk
            del self.fields["child_search"]
        else:
            field.widget = forms.RadioSelect()
            field.help_text = _(
                "Find the child by name and choose; leave “not registered” and describe the child below "
                "if the child is not in the registry."
            )
            field.widget.choices = [("", _("Not registered, or not known"))] + [
                (child.pk, child_label(child)) for child in candidates
            ]

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
