"""`manage.py restore FILE --yes`: replace the configured PostgreSQL database by a backup."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from fund_portal.backup import BackupError, database_restore


class Command(BaseCommand):
    help = _("Restore the PostgreSQL database from a backup file: everything in it is replaced.")

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("The backup file made by manage.py backup."))
        parser.add_argument(
            "--yes",
            action="store_true",
            help=_("Confirm that the database's current data is to be replaced by the backup's."),
        )

    def handle(self, *args, **options):
        if not options["yes"]:
            raise CommandError(
                _("Restoring replaces every record of the database by the backup's. Add --yes to confirm.")
            )
        try:
            database_restore(source=Path(options["file"]))
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(_("The database is restored from %(path)s.") % {"path": options["file"]})
