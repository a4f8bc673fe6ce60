"""`manage.py import_donations FILE --user USERNAME [--dry-run]`: the donations import, from a shell."""

from django.utils.translation import gettext as _

from donations.imports.donations import donations_import
from fund_portal.management.spreadsheet_import import SpreadsheetImportCommand
from fund_portal.money import format_vnd


class Command(SpreadsheetImportCommand):
    help = _("Import donations from an XLSX or CSV file: every row is checked, then all are posted, or none.")

    def run_import(self, *, uploaded, by, dry_run: bool, name: str, options: dict):
        return donations_import(uploaded=uploaded, by=by, dry_run=dry_run, name=name)

    def report(self, result) -> None:
        if result.dry_run:
            self.stdout.write(
                _("Checked %(rows)s donations, %(total)s in all; nothing was written (dry run).")
                % {"rows": result.rows, "total": format_vnd(result.total)}
            )
            for row in result.preview:
                self.stdout.write(
                    _("Row %(row)s: %(date)s, %(amount)s, %(kind)s, %(donor)s, %(fund)s, %(key)s")
                    % {
                        "row": row["row"],
                        "date": row["received_on"].strftime("%d/%m/%Y"),
                        "amount": row["amount_display"],
                        "kind": row["kind"],
                        "donor": row["donor"] or _("Anonymous benefactor"),
                        "fund": row["fund"],
                        "key": row["import_key"],
                    }
                )
        else:
            self.stdout.write(
                _("Imported and posted %(rows)s donations, %(total)s in all.")
                % {"rows": result.rows, "total": format_vnd(result.total)}
            )
        for fund in result.funds:
            if result.dry_run:
                line = _("%(fund)s: %(rows)s donations, %(total)s.")
            else:
                line = _("%(fund)s: %(rows)s donations, %(total)s, receipts %(first)s to %(last)s.")
            self.stdout.write(
                line
                % {
                    "fund": fund.name,
                    "rows": fund.rows,
                    "total": format_vnd(fund.amount),
                    "first": fund.first_receipt,
                    "last": fund.last_receipt,
                }
            )
        self.stdout.write(_("New donors: %(n)s.") % {"n": result.new_donors})
