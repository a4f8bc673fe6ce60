"""`manage.py units list|load`: print the administrative tree, or load it from data files."""

import time
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from fund_portal.management.spreadsheet_import import os_error_text
from fund_portal.models import AdministrativeUnit, UnitLevel
from fund_portal.services import units_load_file, units_load_national


class Command(BaseCommand):
    help = _(
        "The administrative units: `list` prints them (code, level, name, parent); `load` creates or "
        "updates them from a units file or from the national list of 2025."
    )

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="command", required=True, metavar="list|load")
        listing = commands.add_parser("list", help=_("Print the units: code, level, name, parent."))
        listing.add_argument("--level", choices=UnitLevel.values, help=_("Only units of this level."))
        listing.add_argument(
            "--under", metavar="CODE", help=_("Only the unit with this code and those under it.")
        )
        load = commands.add_parser(
            "load", help=_("Create or update units, all or nothing; loading again changes nothing.")
        )
        source = load.add_mutually_exclusive_group(required=True)
        source.add_argument(
            "--file", metavar="FILE", help=_("A JSON list of units {code, name, level, parent}.")
        )
        source.add_argument(
            "--national",
            action="store_true",
            help=_("The 34 provinces and 3,321 communes of 2025, from the list shipped with the portal."),
        )
        source.add_argument(
            "--province", metavar="CODE", help=_("One province of the national list and its communes.")
        )

    def handle(self, *args, **options):
        if options["command"] == "list":
            self.list_units(level=options["level"], under=options["under"])
            return
        started = time.monotonic()
        try:
            if options["file"]:
                path = Path(options["file"])
                created, updated = units_load_file(path=path)
                kept = []
            else:
                result = units_load_national(province=options["province"])
                created, updated, kept = result.created, result.updated, result.kept
        except OSError as error:
            raise CommandError(
                _("Cannot read %(path)s: %(error)s")
                % {"path": options["file"], "error": os_error_text(error)}
            ) from error
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        for name in kept:
            self.stdout.write(
                _("%(province)s is kept as it is: the database holds it in another shape of the tree.")
                % {"province": name}
            )
        units = AdministrativeUnit.objects
        self.stdout.write(
            _(
                "%(created)s units created, %(updated)s updated in %(seconds)s s. In the database: "
                "%(provinces)s provinces, %(communes)s communes."
            )
            % {
                "created": number_format(created, force_grouping=True),
                "updated": number_format(updated, force_grouping=True),
                "seconds": number_format(time.monotonic() - started, decimal_pos=1),
                "provinces": number_format(
                    units.filter(level=UnitLevel.PROVINCE).count(), force_grouping=True
                ),
                "communes": number_format(units.filter(level=UnitLevel.COMMUNE).count(), force_grouping=True),
            }
        )

    def list_units(self, *, level: str | None, under: str | None) -> None:
        units = AdministrativeUnit.objects.select_related("parent").order_by("path")
        if under:
            root = AdministrativeUnit.objects.filter(code=under).first()
            if root is None:
                raise CommandError(_("No administrative unit has the code %(code)s.") % {"code": under})
            units = units.filter(path__startswith=root.path)
        if level:
            units = units.filter(level=level)
        self.stdout.write(f"{_('code'):<12}{_('level'):<12}{_('name'):<40}{_('parent')}")
        for unit in units.iterator():
            parent = unit.parent.code if unit.parent else "-"
            self.stdout.write(f"{unit.code:<12}{unit.level:<12}{unit.name:<40}{parent}")
