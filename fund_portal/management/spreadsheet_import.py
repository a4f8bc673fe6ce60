"""The shape every `import_*` command shares: a file, the user whose scope applies, a dry run, and a
refusal that lists the file's problems in Vietnamese and writes nothing."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from fund_portal.models import User

#: A refused file lists at most this many problems; the rest are counted.
SHOWN_ERRORS = 200


class SpreadsheetImportCommand(BaseCommand):
    """Subclasses set `user_help` and implement `run_import()` and `report()`."""

    user_help = ""

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("The XLSX or CSV file."))
        parser.add_argument("--user", required=True, metavar="USERNAME", help=self.user_help)
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=_("Check the file and show a summary without writing anything."),
        )

    def run_import(self, *, uploaded, by, dry_run: bool, name: str):
        raise NotImplementedError

    def report(self, result) -> None:
        raise NotImplementedError

    def handle(self, *args, **options):
        user = User.objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(_("No user is named %(name)s.") % {"name": options["user"]})
        path = Path(options["file"])
        try:
            with path.open("rb") as uploaded:
                result = self.run_import(
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
        self.report(result)
