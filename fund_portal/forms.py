"""Form fields shared by the portal's apps, and what every form does with a service's answer."""

from collections.abc import Callable

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .money import format_vnd
from .money_parse import parse_vnd


class MoneyInput(forms.TextInput):
    """A text box for đồng: shows 1.250.000, accepts what people type (see parse_vnd)."""

    input_type = "text"

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "numeric", "autocomplete": "off", **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, int) and not isinstance(value, bool):
            return format_vnd(value, symbol=False)
        return super().format_value(value)


class ListSelect(forms.Select):
    """A select whose options are written in its own template, not each through an included template:
    the same HTML as Django's `Select` at a third of the cost (a list's filter form has dozens of options
    and is drawn on every page of the list)."""

    template_name = "fund_portal/widgets/select.html"


class MoneyField(forms.Field):
    """Whole đồng, typed as 1.000.000, 1,000,000, 1000000 or 1.000.000đ."""

    widget = MoneyInput
    default_error_messages = {"required": _("Enter an amount in đồng.")}

    def __init__(self, *, allow_zero: bool = False, **kwargs):
        self.allow_zero = allow_zero
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        return parse_vnd(value, allow_zero=self.allow_zero)


def form_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """A service's refusal shown on the form: on its field when the form has it, else above the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class ServiceCheckedForm(forms.ModelForm):
    """An admin form that runs its service's check while validating, so a refusal shows on the field.

    The admin sets `user` (`ServiceCheckedAdminMixin`); a subclass names the check, a function
    called as `service_check(record, by)`."""

    user = None

    @staticmethod
    def service_check(record, by) -> None:  # pragma: no cover - every subclass names its own
        raise NotImplementedError

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        try:
            self.service_check(self.instance, self.user)
        except ValidationError as error:
            form_service_errors(self, error)


def service_checked_form(model, check: Callable, fields: list[str] | None = None) -> type[ServiceCheckedForm]:
    """The admin form of `model` (its editable fields, or `fields`) that runs `check(record, by)`."""
    names = fields or [f.name for f in model._meta.concrete_fields if f.editable and not f.auto_created]
    meta = type("Meta", (), {"model": model, "fields": names})
    return type(
        f"{model.__name__}CheckedForm",
        (ServiceCheckedForm,),
        {"Meta": meta, "service_check": staticmethod(check), "__module__": check.__module__},
    )


class ServiceCheckedAdminMixin:
    """Gives the admin's form (a `ServiceCheckedForm`) the user its check runs for."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.user = request.user
        return form


class ServiceCheckedInlineMixin:
    """The same for an inline's forms (each a `ServiceCheckedForm`)."""

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form.user = request.user
        return formset


def sheet_upload_run[T](request, form: forms.Form, run: Callable[..., T]) -> T | None:
    """An import's upload form (a `file` and a `dry_run` box), posted and valid: `run` (the app's
    import) reads the file, only checking it when the box is ticked. A file refused as a whole shows
    its reasons on the file field. None when nothing was posted, the form is invalid, or the file
    was refused."""
    if request.method != "POST" or not form.is_valid():
        return None
    upload = form.cleaned_data["file"]
    try:
        return run(uploaded=upload, by=request.user, name=upload.name, dry_run=form.cleaned_data["dry_run"])
    except ValidationError as error:
        for message in error.messages:
            form.add_error("file", message)
        return None
