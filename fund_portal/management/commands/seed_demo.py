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
            "--national",
            action="store_true",
            help=_(
                "Also load the national-shape data set: every province and commune, 2,000,000 children "
                "and 20,000,000 donations over ten years (half an hour; resumed where a run stopped)."
            ),
        )
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            metavar="FRACTION",
            help=_("With --national: load this fraction of its children and donations (0.02, say)."),
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
        if not 0 < options["scale"] <= 1:
            raise CommandError(_("--scale takes a fraction above 0 and at most 1 (0.02, say)."))
        if options["scale"] != 1.0 and not options["national"]:
            raise CommandError(_("--scale goes with --national."))
        started = time.perf_counter()
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
                step_started = time.perf_counter()
                import_string(settings.DEMO_LARGE[option])(count=options[option])
                self.stdout.write(message % {"n": options[option], "s": time.perf_counter() - step_started})
        if options["national"]:
            self.national(scale=options["scale"], started=started)
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

    def national(self, *, scale: float, started: float) -> None:
        """The national data set after the small demo, each step timed as it runs."""
        self.stdout.write(_("The national data set at scale %(scale)s:") % {"scale": f"{scale:g}"})
        load = import_string(settings.DEMO_LARGE["national"])(scale=scale, say=self.stdout.write)
        for label, seconds, _done in load.steps:
            self.stdout.write(f"  {seconds:8.1f} s  {label}")
        self.stdout.write(
            _("The national data set is loaded (%(s)s s in all, with the small demo).")
            % {"s": f"{time.perf_counter() - started:.1f}"}
        )
