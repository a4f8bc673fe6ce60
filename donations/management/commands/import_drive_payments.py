from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from donations.imports.drive_payments import drive_payments_import
from donations.models import SalaryDrive
from fund_portal.models import User
from fund_portal.money import format_vnd


class Command(BaseCommand):
    help = _(
        "Import the agencies' payments of a one-day-salary drive from an XLSX or CSV file: all rows or none."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("The XLSX or CSV file."))
        parser.add_argument("--drive", type=int, required=True, help=_("The drive's id (see the admin)."))
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
        drive = SalaryDrive.objects.visible_to(user).filter(pk=options["drive"]).first()
        if drive is None:
            raise CommandError(_("No drive with id %(id)s is in your scope.") % {"id": options["drive"]})
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(
                _("Cannot read %(path)s: %(error)s") % {"path": path, "error": error}
            ) from error
        try:
            result = drive_payments_import(
                drive=drive, uploaded=data, by=user, name=path.name, dry_run=options["dry_run"]
            )
        except ValidationError as error:
            for message in error.messages:
                self.stderr.write(message)
            raise CommandError(
                _("The file was refused (%(n)s errors); nothing was written.") % {"n": len(error.messages)}
            ) from error
        self.stdout.write(
            _("%(n)d payments posted, %(total)s in all.")
            % {"n": result.rows, "total": format_vnd(result.total)}
            + (" " + _("(dry run: nothing was written)") if options["dry_run"] else "")
        )
