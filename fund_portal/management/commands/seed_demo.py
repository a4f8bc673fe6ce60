import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from fund_portal.demo import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = _("Load the demo data set (idempotent) and print the demo logins.")

    def add_arguments(self, parser):
        parser.add_argument(
            "--children",
            type=int,
            default=0,
            metavar="N",
            help=_("Also add N children over the communes of the tree (for benchmarks)."),
        )
        parser.add_argument(
            "--donations",
            type=int,
            default=0,
            metavar="N",
            help=_("Also add N posted donations to the district fund (for benchmarks)."),
        )
        parser.add_argument(
            "--allow-demo-logins",
            action="store_true",
            help=_("Create the demo logins even with DEBUG off (never on a real deployment)."),
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["allow_demo_logins"]:
            raise CommandError(
                _(
                    "The demo data has logins with a known password: run it with DEBUG on, "
                    "or add --allow-demo-logins on a machine that is not a real deployment."
                )
            )
        if options["children"] < 0:
            raise CommandError(_("--children takes a number of children, 0 or more."))
        if options["donations"] < 0:
            raise CommandError(_("--donations takes a number of donations, 0 or more."))
        try:
            logins = seed_demo()
        except ValidationError as error:  # e.g. the database holds Thanh Hóa in its 2025 shape
            raise CommandError(" ".join(error.messages)) from error
        added = {
            "children": _("%(n)s children added in %(s).1f s."),
            "donations": _("%(n)s donations added in %(s).1f s."),
        }
        for option, message in added.items():
            if options[option]:
                started = time.perf_counter()
                import_string(settings.DEMO_LARGE[option])(count=options[option])
                self.stdout.write(message % {"n": options[option], "s": time.perf_counter() - started})
        self.stdout.write(self.style.SUCCESS(_("Demo data is loaded.")))
        self.stdout.write(_("Demo logins (password for all: %(password)s):") % {"password": DEMO_PASSWORD})
        for login in logins:
            line = f"  {login.username:<18} {login.role:<28} {login.unit}"
            if login.totp_secret:
                line += (
                    "\n"
                    + " " * 20
                    + _("two-factor (TOTP) secret: %(secret)s") % {"secret": login.totp_secret}
                )
            self.stdout.write(line)
