"""The shape every `import_*` command shares: a file, the user whose scope applies, a dry run, and a
refusal that lists the file's problems in Vietnamese and writes nothing."""

import errno
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fund_portal.models import User

#: A refused file lists at most this many problems; the rest are counted.
SHOWN_ERRORS = 200

#: Why a file could not be opened, in the reader's words: the system's own (`strerror`) are English.
OS_ERRORS = {
    errno.ENOENT: gettext_lazy("there is no such file"),
    errno.EACCES: gettext_lazy("this account may not read it"),
    errno.EPERM: gettext_lazy("this account may not read it"),
    errno.EISDIR: gettext_lazy("it is a folder, not a file"),
    errno.ENOTDIR: gettext_lazy("a part of the path is not a folder"),
    errno.ENAMETOOLONG: gettext_lazy("the name is too long"),
    errno.ELOOP: gettext_lazy("the path loops on itself"),
}


def os_error_text(error: OSError) -> str:
    """Why the system refused to open a file, in Vietnamese."""
    known = OS_ERRORS.get(error.errno)
    if known is not None:
        return str(known)
    return _("the system refused to open it (error %(number)s)") % {"number": error.errno}


class SpreadsheetImportCommand(BaseCommand):
    """Subclasses implement `run_import()` and `report()`. An import refuses a file either with a result
    whose `errors` list its problems, or by raising a `ValidationError` with them."""

    user_help = _("Username of the staff member who imports; their scope applies.")

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("The XLSX or CSV file."))
        parser.add_argument("--user", required=True, metavar="USERNAME", help=self.user_help)
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=_("Check the file and show a summary without writing anything."),
        )

    def run_import(self, *, uploaded, by, dry_run: bool, name: str, options: dict):
        raise NotImplementedError

    def report(self, result) -> None:
        raise NotImplementedError

    def handle(self, *args, **options):
        self.dry_run = options["dry_run"]
        user = User.objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(_("No user is named %(name)s.") % {"name": options["user"]})
        path = Path(options["file"])
        try:
            with path.open("rb") as uploaded:
                result = self.run_import(
                    uploaded=uploaded, by=user, dry_run=options["dry_run"], name=path.name, options=options
                )
        except OSError as error:
            raise CommandError(
                _("Cannot read %(path)s: %(error)s") % {"path": path, "error": os_error_text(error)}
            ) from error
        except ValidationError as error:
            self.refuse(error.messages)
        if not getattr(result, "ok", True):
            self.refuse([str(error) for error in result.errors])
        self.report(result)

    def refuse(self, problems: list[str]) -> None:
        """List the file's problems (at most SHOWN_ERRORS) and stop: nothing was written."""
        for problem in problems[:SHOWN_ERRORS]:
            self.stderr.write(problem)
        if len(problems) > SHOWN_ERRORS:
            self.stderr.write(_("… and %(n)s more errors.") % {"n": len(problems) - SHOWN_ERRORS})
        raise CommandError(
            _("The file was refused (%(n)s errors); nothing was written.") % {"n": len(problems)}
        )
