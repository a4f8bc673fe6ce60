"""`manage.py backup --out FILE`: a pg_dump backup of the configured PostgreSQL database."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from fund_portal.backup import BackupError, database_backup


class Command(BaseCommand):
    help = _("Back up the PostgreSQL database to a file (pg_dump, custom format).")

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, metavar="FILE", help=_("The backup file to write."))

    def handle(self, *args, **options):
        try:
            path = database_backup(out=Path(options["out"]))
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            _("Backup written to %(path)s (%(size)s bytes).") % {"path": path, "size": path.stat().st_size}
        )
