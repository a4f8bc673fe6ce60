from django import forms
from django.utils.translation import gettext_lazy as _

from fund_portal.models import AdministrativeUnit, UnitLevel

from .models import Child


def ethnicity_choices():
    from .reference import ETHNIC_GROUPS

    return list(ETHNIC_GROUPS)


class ChildForm(forms.ModelForm):
    """A child's record as the commune officer keeps it; health notes only with the sensitive permission."""

    ethnicity = forms.ChoiceField(label=_("ethnicity"), choices=ethnicity_choices)
    confirm_not_duplicate = forms.BooleanField(
        label=_("I have checked: this is not a child already registered"), required=False
    )

    class Meta:
        model = Child
        fields = [
            "full_name",
            "birth_date",
            "sex",
            "ethnicity",
            "personal_id",
            "commune",
            "village",
            "address",
            "guardian_name",
            "guardian_relationship",
            "guardian_phone",
            "poverty",
            "poverty_year",
            "school",
            "grade",
            "out_of_school",
            "disability_type",
            "disability_severity",
            "health_notes",
            "data_consent",
            "story_consent",
        ]
        widgets = {"health_notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        visible = AdministrativeUnit.objects.visible_to(user)
        self.fields["commune"].queryset = visible.filter(level=UnitLevel.COMMUNE)
        self.fields["village"].queryset = visible.filter(level=UnitLevel.VILLAGE)
        if not user.has_perm("children.view_sensitive"):
            del self.fields["health_notes"]
