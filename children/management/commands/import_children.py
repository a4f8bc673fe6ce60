"""`manage.py import_children FILE --user USERNAME [--dry-run]`: the children's import, from a shell."""

from django.utils.translation import gettext as _

from children.imports.children import children_import
from fund_portal.management.spreadsheet_import import SpreadsheetImportCommand


class Command(SpreadsheetImportCommand):
    help = _("Import the list of children from an XLSX or CSV file: every row is checked, then all or none.")

    user_help = _("Username of the officer who imports; their scope applies.")

    def run_import(self, *, uploaded, by, dry_run: bool, name: str, options: dict):
        return children_import(uploaded=uploaded, by=by, dry_run=dry_run, name=name)

    def report(self, result) -> None:
        summary = {
            "rows": result.rows,
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
        }
        if result.dry_run:
            self.stdout.write(
                _(
                    "Checked %(rows)s children: %(created)s new, %(updated)s to update, %(unchanged)s "
                    "unchanged; nothing was written (dry run)."
                )
                % summary
            )
        else:
            self.stdout.write(
                _(
                    "Imported %(rows)s children: %(created)s new, %(updated)s updated, "
                    "%(unchanged)s unchanged."
                )
                % summary
            )
