"""A photo is stored and served without its metadata: a phone's JPEG carries the GPS position of the
child's home and the camera, and the sponsor's public page must not hand them out."""

import datetime as dt
import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from PIL import Image, TiffImagePlugin

from children.forms.registry import ChildEditForm
from children.models import Child
from children.services.registry import child_register, consent_set
from children.services.support import sponsorship_start
from fund_portal.models import NewsPost
from tests.factories import DonorFactory, officer, staff

pytestmark = pytest.mark.django_db

GPS_IFD = 0x8825
MAKE, MODEL, ORIENTATION = 0x010F, 0x0110, 0x0112


def phone_jpeg(*, orientation: int = 1) -> bytes:
    """A JPEG as a phone writes it: camera make and model, an orientation, and a GPS position."""
    image = Image.new("RGB", (40, 20), (200, 30, 30))
    exif = Image.Exif()
    exif[MAKE] = "PhoneMaker"
    exif[MODEL] = "Phone X"
    exif[ORIENTATION] = orientation
    exif[GPS_IFD] = {
        1: "N",
        2: (
            TiffImagePlugin.IFDRational(19),
            TiffImagePlugin.IFDRational(48),
            TiffImagePlugin.IFDRational(30),
        ),
        3: "E",
        4: (
            TiffImagePlugin.IFDRational(105),
            TiffImagePlugin.IFDRational(46),
            TiffImagePlugin.IFDRational(12),
        ),
    }
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif, comment=b"taken at home")
    data = out.getvalue()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD)  # the fixture does carry GPS
    return data


def assert_no_metadata(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    exif = image.getexif()
    assert not exif.get_ifd(GPS_IFD)
    assert dict(exif) == {}
    assert "exif" not in image.info and "icc_profile" not in image.info and "comment" not in image.info
    assert b"PhoneMaker" not in data and b"taken at home" not in data
    return image


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def child(tree):
    by = officer(tree["a"], username="canbo_anh")
    registered = child_register(
        by=by,
        full_name="Nguyễn Thị Hoa",
        birth_date=dt.date(2016, 5, 1),
        sex="female",
        ethnicity="01",
        commune=tree["a"],
        confirm_not_duplicate=True,
    )
    consent_set(child=registered, by=by, data_consent=True, story_consent=True, story="Em thích vẽ.")
    registered.refresh_from_db()
    return registered, by


def _edit_form_data(child: Child, user) -> dict:
    form = ChildEditForm(instance=child, user=user)
    data = {}
    for name in form.fields:
        value = form[name].value()
        if name == "photo" or value is None:
            continue
        if isinstance(value, bool):
            if value:
                data[name] = "on"
            continue
        if isinstance(value, dt.date):
            value = value.strftime("%d/%m/%Y")
        data[name] = value
    return data


def test_a_photo_uploaded_with_gps_is_stored_and_served_publicly_without_any_metadata(client, tree, child):
    child, by = child
    client.force_login(by)
    data = _edit_form_data(child, by)
    data["photo"] = SimpleUploadedFile("IMG_0001.jpg", phone_jpeg(), content_type="image/jpeg")
    response = client.post(reverse("children:edit", args=[child.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    child.refresh_from_db()
    assert child.photo.name.startswith("children/photos/") and child.photo.name.endswith(".jpg")
    with child.photo.open("rb") as stored:
        image = assert_no_metadata(stored.read())
    assert image.size == (40, 20)

    sponsorship = sponsorship_start(
        by=staff(tree["d1"]),
        donor=DonorFactory(unit=tree["d1"]),
        child=child,
        starts_on=timezone.localdate(),
        monthly_amount=300_000,
    )
    client.logout()
    public = client.get(reverse("sponsorship:photo", args=[sponsorship.token]))
    assert public.status_code == 200
    assert_no_metadata(b"".join(public.streaming_content))


def test_an_upload_is_turned_upright_by_its_orientation_before_the_tag_is_dropped(child):
    child, _by = child
    child.photo = SimpleUploadedFile("sideways.jpg", phone_jpeg(orientation=6))  # rotated 90° clockwise
    child.save()
    with child.photo.open("rb") as stored:
        image = assert_no_metadata(stored.read())
    assert image.size == (20, 40)


def test_a_news_image_is_stored_without_metadata():
    post = NewsPost(title="Tin", slug="tin", body="Nội dung", published_at=timezone.now())
    post.image = SimpleUploadedFile("anh.jpg", phone_jpeg())
    post.save()
    with post.image.open("rb") as stored:
        assert_no_metadata(stored.read())


def test_the_cleaning_command_strips_a_photo_stored_before_uploads_were_cleaned(child):
    child, _by = child
    old = default_storage.save("children/photos/2024/old.jpg", ContentFile(phone_jpeg()))
    Child.objects.filter(pk=child.pk).update(photo=old)
    with default_storage.open(old, "rb") as stored:
        assert Image.open(stored).getexif().get_ifd(GPS_IFD)

    out = io.StringIO()
    call_command("photos_strip_metadata", stdout=out)
    child.refresh_from_db()
    assert child.photo.name == old
    with default_storage.open(old, "rb") as stored:
        assert_no_metadata(stored.read())
    assert "1" in out.getvalue()

    # Running it again changes nothing (a clean file is not re-encoded twice).
    before = default_storage.open(old, "rb").read()
    call_command("photos_strip_metadata", stdout=io.StringIO())
    assert default_storage.open(old, "rb").read() == before


def test_a_file_that_is_not_an_image_is_refused_in_vietnamese_and_nothing_is_stored(client, child):
    child, by = child
    client.force_login(by)
    data = _edit_form_data(child, by)
    data["photo"] = SimpleUploadedFile("anh.jpg", b"not an image at all", content_type="image/jpeg")
    response = client.post(reverse("children:edit", args=[child.pk]), data, HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 200
    child.refresh_from_db()
    assert not child.photo
