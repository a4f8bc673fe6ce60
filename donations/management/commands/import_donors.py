from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from donations.imports.donors import donors_import
from fund_portal.models import User


class Command(BaseCommand):
    help = _("Import donors from an XLSX or CSV file (the donors template): all rows or none.")

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("The XLSX or CSV file."))
        parser.add_argument(
            "--user", required=True, help=_("Username of the staff member who imports; their scope applies.")
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
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(
                _("Cannot read %(path)s: %(error)s") % {"path": path, "error": error}
            ) from error
        try:
            result = donors_import(uploaded=data, by=user, name=path.name, dry_run=options["dry_run"])
        except ValidationError as error:
            for message in error.messages:
                self.stderr.write(message)
            raise CommandError(
                _("The file was refused (%(n)s errors); nothing was written.") % {"n": len(error.messages)}
            ) from error
        self.stdout.write(
            _("%(new)d donors added, %(updated)d updated.") % {"new": result.new, "updated": result.updated}
            + (" " + _("(dry run: nothing was written)") if options["dry_run"] else "")
        )
