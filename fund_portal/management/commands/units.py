from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from fund_portal.models import AdministrativeUnit, UnitLevel


class Command(BaseCommand):
    help = _("Print the administrative units: code, level, name, parent.")

    def add_arguments(self, parser):
        parser.add_argument("--level", choices=UnitLevel.values, help=_("Only units of this level."))
        parser.add_argument(
            "--under", metavar="CODE", help=_("Only the unit with this code and those under it.")
        )

    def handle(self, *args, **options):
        units = AdministrativeUnit.objects.select_related("parent").order_by("path")
        if options["under"]:
            root = AdministrativeUnit.objects.filter(code=options["under"]).first()
            if root is None:
                raise CommandError(
                    _("No administrative unit has the code %(code)s.") % {"code": options["under"]}
                )
            units = units.filter(path__startswith=root.path)
        if options["level"]:
            units = units.filter(level=options["level"])
        self.stdout.write(f"{_('code'):<12}{_('level'):<12}{_('name'):<40}{_('parent')}")
        for unit in units.iterator():
            parent = unit.parent.code if unit.parent else "-"
            self.stdout.write(f"{unit.code:<12}{unit.level:<12}{unit.name:<40}{parent}")
