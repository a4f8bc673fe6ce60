"""Forms of a child's record: registering and editing, the list's filters, a group, status and consent."""

from django import forms
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from donations.models import NeedArea
from fund_portal.forms import ListSelect
from fund_portal.models import AdministrativeUnit, UnitLevel

from ..models import RECORD_FIELDS, Child, ChildStatus, Poverty
from ..record_rules import typed_text_errors
from ..reference.disability import DisabilitySeverity, DisabilityType


def ethnicity_choices():
    from ..reference.ethnic import ETHNIC_GROUPS

    return list(ETHNIC_GROUPS)


#: How a date is typed on the portal's forms: the hint beside the box, and what the box shows.
DATE_HINT = _("dd/mm/yyyy, e.g. 05/09/2015")


def date_input() -> forms.DateInput:
    return forms.DateInput(
        format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off"}
    )


def _coded_choices(field: forms.ChoiceField, enum, current: str) -> None:
    """A list of the law's categories; a text typed before the list existed stays a choice, as typed."""
    choices = [("", "—"), *enum.choices]
    if current and current not in enum.values:
        choices.append((current, _("%(value)s (as typed before)") % {"value": current}))
    field.choices = choices


def _default_commune(communes, user) -> int | None:
    """The officer's own commune, else the only commune they see, else none."""
    if user.unit_id and communes.filter(pk=user.unit_id).exists():
        return user.unit_id
    only = list(communes.values_list("pk", flat=True)[:2])
    return only[0] if len(only) == 1 else None


class ChildForm(forms.ModelForm):
    """A child's record as the commune officer keeps it; health notes only with the sensitive permission."""

    ethnicity = forms.ChoiceField(label=_("Ethnicity"), choices=ethnicity_choices)
    disability_type = forms.ChoiceField(label=_("Kind of disability"), required=False)
    disability_severity = forms.ChoiceField(label=_("Level of disability"), required=False)
    confirm_not_duplicate = forms.BooleanField(
        label=_("I have checked: this is not a child already registered"), required=False
    )
    groups = forms.MultipleChoiceField(
        label=_("Groups of children in special circumstances"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Child
        fields = [*RECORD_FIELDS, "data_consent", "story_consent"]
        widgets = {
            "health_notes": forms.Textarea(attrs={"rows": 3}),
            "birth_date": date_input(),
            "guardian_phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
        }
        help_texts = {
            "birth_date": DATE_HINT,
            "guardian_phone": _("10 digits, e.g. 0912 345 678."),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        visible = AdministrativeUnit.objects.visible_to(user)
        communes = visible.filter(level=UnitLevel.COMMUNE)
        self.fields["commune"].queryset = communes
        self.fields["village"].queryset = visible.filter(level=UnitLevel.VILLAGE)
        if self.instance.pk is None and not self.initial.get("commune"):
            self.initial["commune"] = _default_commune(communes, user)
        if user.unit_id and user.unit.level == UnitLevel.VILLAGE:
            self._fix_to_village(user.unit)
        _coded_choices(self.fields["disability_type"], DisabilityType, self.instance.disability_type)
        _coded_choices(
            self.fields["disability_severity"], DisabilitySeverity, self.instance.disability_severity
        )
        if not user.has_perm("children.view_sensitive"):
            del self.fields["health_notes"]
        from ..selectors.registry import group_choices

        self.fields["groups"].choices = group_choices(user=user)

    def _fix_to_village(self, village) -> None:
        """A village volunteer registers and keeps only the children of their village: the commune
        and the village are theirs, shown and not sent (a value sent anyway is ignored)."""
        self.fields["commune"].queryset = AdministrativeUnit.objects.filter(pk=village.parent_id)
        self.fields["village"].queryset = AdministrativeUnit.objects.filter(pk=village.pk)
        for name, unit_id in (("commune", village.parent_id), ("village", village.pk)):
            self.fields[name].disabled = True
            self.fields[name].required = True
            if self.instance.pk is None:
                self.initial[name] = unit_id

    def clean(self):
        data = super().clean()
        for name, errors in typed_text_errors(data).items():
            if name in self.fields and name not in self.errors:
                self.add_error(name, errors)
        return data

    def validate_constraints(self):
        """The personal ID's uniqueness is told by the services (`child_register`, `child_update`): the
        model's own check would confirm to an officer that a number is registered in another unit."""
        exclude = self._get_validation_exclusions() | {"personal_id"}
        try:
            self.instance.validate_constraints(exclude=exclude)
        except ValidationError as error:
            self._update_errors(error)


def _area_choices():

    return NeedArea.choices


#: The filter fields drawn (`ChildFilterForm.filters_html`) by language, groups and values; emptied when full.
_FILTERS_HTML: dict[tuple, str] = {}
FILTERS_HTML_MOST = 500


class ChildFilterForm(forms.Form):
    """The list's search and filters (GET); a value that does not parse is ignored, never an error page."""

    q = forms.CharField(label=_("Search by name (diacritics optional)"), required=False)
    group = forms.ChoiceField(label=_("Group"), required=False, widget=ListSelect)
    poverty = forms.ChoiceField(
        label=_("Household"),
        required=False,
        widget=ListSelect,
        choices=[("", "—"), *[(v, label) for v, label in Poverty.choices if v != Poverty.NONE]],
    )
    need = forms.ChoiceField(label=_("Need this year"), required=False, widget=ListSelect)
    review = forms.ChoiceField(
        label=_("Yearly review"),
        required=False,
        widget=ListSelect,
        choices=[("", "—"), ("pending", _("Not reviewed this year")), ("done", _("Reviewed this year"))],
    )
    min_age = forms.IntegerField(label=_("Age from"), required=False, min_value=0, max_value=15)
    max_age = forms.IntegerField(label=_("to"), required=False, min_value=0, max_value=15)

    def __init__(self, *args, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [("", "—"), *groups]
        self.fields["need"].choices = [("", "—"), *_area_choices()]

    def filters_html(self) -> str:
        """The filters besides the search, as the list draws them (`children/_filter_fields.html`).

        Drawn once per process for each language, set of groups offered and values chosen: the same
        for every page of a list, and 2 ms of each page when drawn again (six fields, 40 options)."""
        key = (
            get_language(),
            tuple(code for code, _label in self.fields["group"].choices),
            self.is_bound,
            tuple(self.data.get(name) for name in self.fields if name != "q"),
        )
        html = _FILTERS_HTML.get(key)
        if html is None:
            html = render_to_string("children/_filter_fields.html", {"form": self})
            if len(_FILTERS_HTML) >= FILTERS_HTML_MOST:
                _FILTERS_HTML.clear()
            _FILTERS_HTML[key] = html
        return html

    def active_filters(self) -> int:
        """How many filters besides the name are set: the list opens its filters when any is."""
        return sum(1 for name in self.fields if name != "q" and self.data.get(name) not in (None, ""))

    def filters(self) -> dict:
        if not self.is_valid():
            return {name: value for name, value in self.cleaned_data.items() if name not in self.errors} | {
                "q": self.data.get("q", "")
            }
        return dict(self.cleaned_data)


class ChildEditForm(ChildForm):
    """Editing a registered child: no duplicate confirmation; consent and status have their own forms."""

    class Meta(ChildForm.Meta):
        fields = [f for f in ChildForm.Meta.fields if f not in ("data_consent", "story_consent")] + ["photo"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["confirm_not_duplicate"]
        del self.fields["groups"]


class CircumstanceForm(forms.Form):
    group = forms.ChoiceField(label=_("Group"))
    subgroup = forms.ChoiceField(label=_("Subgroup (Decree 56/2017)"), required=False)
    identified_on = forms.DateField(label=_("Identified on (dd/mm/yyyy)"), widget=date_input())
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def __init__(self, *args, groups, **kwargs):
        from ..reference.circumstances import choices_subgroups

        super().__init__(*args, **kwargs)
        self.fields["group"].choices = groups
        allowed = {code for code, _label in groups}
        self.fields["subgroup"].choices = [("", "—")] + [
            (code, label) for code, label in choices_subgroups() if code.split(".")[0] in allowed
        ]


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("New status"),
        choices=[(v, label) for v, label in ChildStatus.choices if v != ChildStatus.MERGED],
    )
    on = forms.DateField(label=_("Since (dd/mm/yyyy)"), widget=date_input())
    reason = forms.CharField(label=_("Reason"), required=False, max_length=255)


class ConsentForm(forms.Form):
    data_consent = forms.BooleanField(
        label=_("The guardian consents to keeping the data"),
        required=False,
        help_text=_(
            "Unticked after the guardian consented, it records a withdrawal: the record stays for the "
            "commune's duty of protection but leaves sponsors, public pages, gift lists and exports."
        ),
    )
    story_consent = forms.BooleanField(
        label=_("The guardian consents to showing an anonymised story publicly"), required=False
    )
    story = forms.CharField(
        label=_("Anonymised story (no name, no address, no sensitive group)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
