"""Forms of the import of the commune's list and of an export (with its reason)."""

from django import forms
from django.utils.translation import gettext_lazy as _


class ChildImportForm(forms.Form):
    file = forms.FileField(
        label=_("File (XLSX or CSV)"),
        help_text=_("Filled in from the template, one child per row."),
    )
    dry_run = forms.BooleanField(label=_("Check only (write nothing)"), required=False, initial=True)


class ExportReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the export"),
        max_length=255,
        help_text=_("Kept in the access log with who exported which children and when."),
        error_messages={"required": _("Give the reason for the export.")},
    )
    q = forms.CharField(required=False, widget=forms.HiddenInput)
    group = forms.CharField(required=False, widget=forms.HiddenInput)
