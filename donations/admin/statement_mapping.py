"""The page where staff say how to read a statement whose layout no bank's layout names, and the list
of the layouts kept per account.

The statement import (`statements.BankStatementAdmin.add_view`) keeps such a file
(`donations.imports.statement_uploads`) under a token held in the uploader's session and sends staff
here: the first rows of the file, the header row and each field's column to choose. The mapping is
kept for the account and the statement imported by it (`donations.services.statement_mappings`).
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from fund_portal.admin import ReadOnlyAdminMixin, ScopedAdminMixin, admin_page
from fund_portal.authority import Action, action_required

from ..imports.statement_layouts import LAYOUTS
from ..imports.statement_uploads import upload_delete, upload_keep, upload_read
from ..imports.statements import MIN_HEADER_CELLS, column_letter, statement_preview
from ..models import BankAccount, StatementLayoutMapping
from ..services.statement_mappings import FIELDS, statement_import_mapped, statement_mapping_delete
from .actions import each_selected

#: The session's key of the files kept for a mapping: {token: {"account": pk, "name": file name}}.
SESSION_KEY = "statement_uploads"
#: Files kept per session at most: a further one forgets and deletes the oldest.
MAX_KEPT = 3
#: Row errors shown at most when a mapping does not read the file.
MAX_ERRORS = 10
#: What each field is, under its choice.
FIELD_HELP = {
    "booked_on": _("Required: the day of the transaction (dd/mm/yyyy, or a date cell)."),
    "credit": _("Required, unless a signed amount is chosen: the money received."),
    "debit": _("Optional: the money paid out (those rows are not read as donations)."),
    "amount": _("Instead of money in and out: one amount, negative for money out."),
    "description": _("Required: the transfer's content, where donors write the transfer reference."),
    "bank_ref": _("Optional: the bank's number of the transaction, to recognise it in a later statement."),
}


class StatementMappingForm(forms.Form):
    header_row = forms.TypedChoiceField(
        label=_("Header row"),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the header row: the row that names the columns.")},
    )

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = {row.number: row for row in rows}
        self.fields["header_row"].choices = [(row.number, row.number) for row in rows]
        guess = next((row for row in rows if sum(map(bool, row.shown)) >= MIN_HEADER_CELLS), None)
        if guess is not None:
            self.fields["header_row"].initial = guess.number
        width = max((len(row.shown) for row in rows), default=0)
        names = guess.shown if guess is not None else [""] * width
        choices = [("", "—")] + [(str(i), _column_label(i, names[i])) for i in range(width)]
        for name, label in FIELDS.items():
            self.fields[name] = forms.TypedChoiceField(
                label=label,
                choices=choices,
                coerce=int,
                required=False,
                empty_value=None,
                help_text=FIELD_HELP[name],
            )

    def header(self) -> list:
        return self.rows[self.cleaned_data["header_row"]].cells

    def columns(self) -> dict:
        return {name: self.cleaned_data[name] for name in FIELDS}

    def column_fields(self):
        return [self[name] for name in FIELDS]


def _column_label(index: int, name: str) -> str:
    letter = column_letter(index)
    return f"{letter} · {name[:28]}…" if len(name) > 28 else f"{letter} · {name}" if name else letter


class StatementMappingAdminMixin:
    """The mapping page of the statement import (`BankStatementAdmin`)."""

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("mapping/<str:token>/", view(self.mapping_view), name="donations_bankstatement_mapping"),
            *super().get_urls(),
        ]

    def keep_for_mapping(self, request, *, uploaded, bank_account):
        """Keep a file whose layout is unknown, and send staff to say how to read it."""
        token = upload_keep(uploaded)
        kept = dict(request.session.get(SESSION_KEY, {}))
        kept[token] = {"account": bank_account.pk, "name": uploaded.name}
        while len(kept) > MAX_KEPT:
            upload_delete(oldest := next(iter(kept)))
            del kept[oldest]
        request.session[SESSION_KEY] = kept
        return redirect("admin:donations_bankstatement_mapping", token=token)

    @action_required(Action.STATEMENT_RECONCILE)
    def mapping_view(self, request, token):
        """The first rows of a kept file: staff choose the header row and each field's column."""
        entry = request.session.get(SESSION_KEY, {}).get(token)
        data = upload_read(token) if entry else None
        if data is None:
            _forget(request, token)
            messages.error(
                request,
                _(
                    "The uploaded file is no longer kept (it was imported, or a day has passed): "
                    "upload it again."
                ),
            )
            return redirect("admin:donations_bankstatement_add")
        account = get_object_or_404(BankAccount.objects.visible_to(request.user), pk=entry["account"])
        form = StatementMappingForm(request.POST or None, rows=statement_preview(data, name=entry["name"]))
        if request.method == "POST" and form.is_valid():
            try:
                statement = statement_import_mapped(
                    bank_account=account,
                    uploaded=data,
                    header=form.header(),
                    columns=form.columns(),
                    by=request.user,
                    name=entry["name"],
                )
            except ValidationError as error:
                for message in _shortened(error.messages):
                    form.add_error(None, message)
            else:
                _forget(request, token)
                statement_imported_message(request, statement)
                messages.info(
                    request,
                    _("The layout is kept for %(account)s: its next statements are read without asking.")
                    % {"account": account},
                )
                return redirect("admin:donations_bankstatementline_changelist")
        context = {
            "title": _("Say how to read this statement"),
            "form": form,
            "account": account,
            "file_name": entry["name"],
            "preview": list(zip(form.rows.values(), form["header_row"].subwidgets, strict=True)),
            "letters": [
                column_letter(i) for i in range(max((len(r.shown) for r in form.rows.values()), default=0))
            ],
            "banks": ", ".join(layout.bank for layout in LAYOUTS),
            "required": ("booked_on", "credit", "description"),
        }
        return admin_page(self, request, "admin/donations/statement_mapping.html", context)


def _forget(request, token: str) -> None:
    upload_delete(token)
    kept = dict(request.session.get(SESSION_KEY, {}))
    if kept.pop(token, None) is not None:
        request.session[SESSION_KEY] = kept


def _shortened(errors: list[str]) -> list[str]:
    if len(errors) <= MAX_ERRORS:
        return errors
    more = len(errors) - MAX_ERRORS
    return [
        *errors[:MAX_ERRORS],
        ngettext("…and %(n)d more problem.", "…and %(n)d more problems.", more) % {"n": more},
    ]


def statement_imported_message(request, statement) -> None:
    """Tell staff what a statement's import did."""
    counts = {"new": statement.new_lines, "matched": statement.matched_lines, "known": statement.known_lines}
    if statement.known_lines:
        text = _("%(new)d new lines, %(matched)d matched and posted; %(known)d already on record.")
    else:
        text = _("%(new)d new lines, %(matched)d matched and posted.")
    messages.success(request, text % counts)


@admin.register(StatementLayoutMapping)
class StatementLayoutMappingAdmin(ScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """The layouts staff mapped, one per account; forgetting one makes its next statement ask again."""

    list_display = ["bank_account", "columns_display", "saved_by", "saved_at"]
    list_select_related = ["bank_account", "saved_by"]
    ordering = ["-saved_at"]
    actions = ["forget"]
    readonly_fields = ["bank_account", "header", "columns_display", "saved_by", "saved_at"]
    fields = readonly_fields

    @admin.display(description=_("columns"))
    def columns_display(self, obj):
        return ", ".join(
            f"{FIELDS[name]}: {column_letter(index)}" for name, index in obj.columns.items() if name in FIELDS
        )

    @admin.action(
        permissions=[Action.STATEMENT_RECONCILE],
        description=_("Forget the selected layouts (their next statement asks again)"),
    )
    def forget(self, request, queryset):
        each_selected(
            request,
            queryset.select_related("bank_account"),
            lambda mapping: statement_mapping_delete(mapping=mapping, by=request.user),
            lambda n: ngettext("%(n)d layout forgotten.", "%(n)d layouts forgotten.", n),
        )
