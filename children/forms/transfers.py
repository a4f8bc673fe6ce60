"""Forms of a child's transfer to another commune: the request, the receiver's acceptance and refusal."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from fund_portal.models import AdministrativeUnit, UnitLevel


class TransferRequestForm(forms.Form):
    """The commune the child moves to: one of its province's communes, or any commune by its code."""

    to_commune = forms.ModelChoiceField(
        label=_("Commune the child moves to"), queryset=AdministrativeUnit.objects.none(), required=False
    )
    to_code = forms.CharField(
        label=_("Or the commune's code"),
        required=False,
        max_length=20,
        help_text=_("For a commune of another province: its code (mã xã), e.g. 15703."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    reason = forms.CharField(
        label=_("Reason for the move"),
        required=False,
        max_length=255,
        help_text=_("Shown to the receiving commune with the child's name, year of birth and commune."),
    )

    def __init__(self, *args, communes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_commune"].queryset = communes

    def clean(self):
        data = super().clean()
        code = (data.get("to_code") or "").strip()
        if code:
            unit = AdministrativeUnit.objects.filter(code=code).first()
            if unit is None:
                raise ValidationError(
                    {"to_code": _("No commune with the code “%(code)s” is in the system.") % {"code": code}}
                )
            if data.get("to_commune") and data["to_commune"].pk != unit.pk:
                raise ValidationError(
                    {"to_code": _("Choose a commune from the list or type a code, not both.")}
                )
            data["to_commune"] = unit
        return data


class TransferAcceptForm(forms.Form):
    to_village = forms.ModelChoiceField(
        label=_("Village in the receiving commune"),
        queryset=AdministrativeUnit.objects.none(),
        required=False,
    )
    confirm_not_duplicate = forms.BooleanField(
        label=_("I checked: this is another child, not one already registered"), required=False
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=255)

    def __init__(self, *args, commune, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_village"].queryset = AdministrativeUnit.objects.filter(
            parent=commune, level=UnitLevel.VILLAGE
        ).order_by("name")


class TransferRefuseForm(forms.Form):
    note = forms.CharField(label=_("Why the transfer is refused"), required=False, max_length=255)

    def clean_note(self):
        note = self.cleaned_data["note"].strip()
        if not note:  # asked before the confirmation page, not after it (the service checks it too)
            raise ValidationError(_("Say why the transfer is refused."))
        return note


class TransferCancelForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=255)
