"""`manage.py import_children FILE --user USERNAME [--dry-run]`: the children's import, from a shell."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from children.importing import children_import
from fund_portal.models import User

#: A refused file lists at most this many problems; the rest are counted.
SHOWN_ERRORS = 200


class Command(BaseCommand):
    help = _("Import the list of children from an XLSX or CSV file: every row is checked, then all or none.")

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("The XLSX or CSV file."))
        parser.add_argument(
            "--user",
            required=True,
            metavar="USERNAME",
            help=_("Username of the officer who imports; their scope applies."),
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=_("Check the file and show a summary without writing anything."),
        )

    def handle(self, *args, **options):
        user = User.objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(_("No user is named %(name)s.") % {"name": options["user"]})
        path = Path(options["file"])
        try:
            with path.open("rb") as uploaded:
                result = children_import(
                    uploaded=uploaded, by=user, dry_run=options["dry_run"], name=path.name
                )
        except OSError as error:
            raise CommandError(
                _("Cannot read %(path)s: %(error)s") % {"path": path, "error": error.strerror}
            ) from error
        if not result.ok:
            for error in result.errors[:SHOWN_ERRORS]:
                self.stderr.write(str(error))
            if len(result.errors) > SHOWN_ERRORS:
                self.stderr.write(_("… and %(n)s more errors.") % {"n": len(result.errors) - SHOWN_ERRORS})
            raise CommandError(
                _("The file was refused (%(n)s errors); nothing was written.") % {"n": len(result.errors)}
            )
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
