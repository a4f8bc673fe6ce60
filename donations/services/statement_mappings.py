"""How to read the statements of an account whose layout no bank's layout names, as staff said once.

Staff choose, in the first rows of the file, the table's header row and the column of each field:
the date, the money in (and out), or one signed amount instead, the description, and the bank's
transaction number if there is one. The mapping is kept for the account; the next statement of the
same layout is read by it without asking (`donations.imports.statements`).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fund_portal.authority import Action, requires
from fund_portal.spreadsheets import cell_date

from ..imports.statements import column_letter, header_cells
from ..models import BankAccount, BankStatement, StatementLayoutMapping
from .statements import statement_import

#: The fields a mapping names, in the order they are asked for, with what staff read.
FIELDS = {
    "booked_on": gettext_lazy("Date"),
    "credit": gettext_lazy("Money in"),
    "debit": gettext_lazy("Money out"),
    "amount": gettext_lazy("Signed amount"),
    "description": gettext_lazy("Description"),
    "bank_ref": gettext_lazy("Bank's transaction number"),
}


@requires(Action.STATEMENT_RECONCILE)
def statement_mapping_save(
    *, bank_account: BankAccount, header: list, columns: dict, by
) -> StatementLayoutMapping:
    """Keep how the account's statements are read: the header row (its cells, folded) and each field's
    column, counted from 0. A mapping kept before for the account is replaced."""
    _require_visible(bank_account, by)
    header = header_cells(header)
    columns = statement_mapping_check(header=header, columns=columns)
    with transaction.atomic():
        # The account's lock, as an import takes it: two mappings saved at once for one account wait
        # for each other instead of colliding on the one-per-account constraint.
        BankAccount.objects.select_for_update(no_key=True).only("pk").get(pk=bank_account.pk)
        mapping = StatementLayoutMapping.objects.filter(bank_account=bank_account).first()
        mapping = mapping or StatementLayoutMapping(bank_account=bank_account)
        mapping.header, mapping.columns, mapping.saved_by = header, columns, by
        mapping.full_clean()
        mapping.save()
    return mapping


@requires(Action.STATEMENT_RECONCILE)
def statement_import_mapped(
    *, bank_account: BankAccount, uploaded, header: list, columns: dict, by, name: str = ""
) -> BankStatement:
    """Keep the mapping and import the statement by it, all or nothing: a mapping that does not read
    the file (a wrong date column, a header row that is a transaction) is not kept."""
    with transaction.atomic():
        statement_mapping_save(bank_account=bank_account, header=header, columns=columns, by=by)
        return statement_import(bank_account=bank_account, uploaded=uploaded, by=by, name=name)


@requires(Action.STATEMENT_RECONCILE)
def statement_mapping_delete(*, mapping: StatementLayoutMapping, by) -> None:
    """Forget how an account's statements are read: its next statement of that layout asks again."""
    _require_visible(mapping.bank_account, by)
    StatementLayoutMapping.objects.filter(pk=mapping.pk).delete()


def statement_mapping_check(*, header: list[str], columns: dict) -> dict[str, int]:
    """The columns of a mapping, each field's position in the header row; a ValidationError listing
    what is wrong (a required field missing, a column chosen twice or outside the row)."""
    if not any(header):
        raise ValidationError(_("The header row chosen is empty."), code="header")
    chosen, errors = {}, []
    for name, value in columns.items():
        if name not in FIELDS:
            errors.append(ValidationError(_("“%(name)s” is not a field of a statement.") % {"name": name}))
        elif value not in (None, ""):
            try:
                chosen[name] = _index(value, header)
            except ValidationError as error:
                errors.append(error)
    errors += _required(chosen)
    errors += _twice(chosen)
    if not errors and _is_date(header[at := chosen["booked_on"]]):
        errors.append(
            ValidationError(
                _(
                    "The row chosen as header has a date in column %(column)s: "
                    "it is a transaction, not the header."
                )
                % {"column": column_letter(at)},
                code="header",
            )
        )
    if errors:
        raise ValidationError(errors)
    return {name: chosen[name] for name in FIELDS if name in chosen}


def _index(value, header: list[str]) -> int:
    try:
        index = int(value)
    except (TypeError, ValueError):
        index = -1
    if not 0 <= index < len(header):
        raise ValidationError(
            _("Column %(column)s is not in the header row, which has %(count)s columns.")
            % {"column": value if index < 0 else column_letter(index), "count": len(header)},
            code="column",
        )
    return index


def _required(chosen: dict[str, int]) -> list[ValidationError]:
    errors = []
    for name in ("booked_on", "description"):
        if name not in chosen:
            errors.append(
                ValidationError(
                    _("Choose the column of the %(field)s.") % {"field": str(FIELDS[name]).lower()},
                    code="required",
                )
            )
    if "credit" not in chosen and "amount" not in chosen:
        errors.append(
            ValidationError(_("Choose the column of the money in, or the signed amount."), code="required")
        )
    if "amount" in chosen and ("credit" in chosen or "debit" in chosen):
        errors.append(
            ValidationError(
                _(
                    "A signed amount holds money in and out in one column: choose it, or the money in "
                    "(and out), not both."
                ),
                code="amount",
            )
        )
    return errors


def _twice(chosen: dict[str, int]) -> list[ValidationError]:
    fields_at: dict[int, list[str]] = {}
    for name, index in chosen.items():
        fields_at.setdefault(index, []).append(str(FIELDS[name]).lower())
    return [
        ValidationError(
            _("Column %(column)s is chosen for %(fields)s: each column is one field.")
            % {"column": column_letter(index), "fields": ", ".join(names)},
            code="twice",
        )
        for index, names in fields_at.items()
        if len(names) > 1
    ]


def _is_date(text: str) -> bool:
    try:
        cell_date(text.split(" ")[0])
    except ValidationError:
        return False
    return True


def _require_visible(bank_account: BankAccount, by) -> None:
    if not BankAccount.objects.visible_to(by).filter(pk=bank_account.pk).exists():
        raise ValidationError(_("This bank account is outside your unit."), code="scope")
