from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from fund_portal.demo import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = _("Load the demo data set (idempotent) and print the demo logins.")

    def add_arguments(self, parser):
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
        logins = seed_demo()
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
