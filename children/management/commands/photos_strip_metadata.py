from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from children.models import Child
from fund_portal.images import images_strip_stored
from fund_portal.models import NewsPost

#: Every image field of the portal (the upload path cleans new files; this cleans stored ones).
IMAGE_FIELDS = [(Child, "photo"), (NewsPost, "image")]


class Command(BaseCommand):
    help = _("Re-encode every stored photo and image without its metadata (GPS position, camera, time).")

    def handle(self, *args, **options):
        cleaned, unreadable = images_strip_stored(fields=IMAGE_FIELDS, stdout=self.stdout)
        self.stdout.write(
            _("%(cleaned)s images cleaned, %(unreadable)s could not be read.")
            % {"cleaned": cleaned, "unreadable": unreadable}
        )
