"""Uploaded images are stored without their metadata: a phone's photo carries the GPS position of the
child's home, the time and the camera in its EXIF, and Pillow keeps all of it unless the image is
re-encoded.

`CleanImageField` is the one place an image enters the storage (every `ImageField` of the portal is
one: a child's photo, a news post's image), whichever path saved it (the portal's forms, the admin, a
service): the file is decoded, turned upright by its EXIF orientation, converted to sRGB if it carries
a colour profile, and encoded again with no EXIF, no XMP, no ICC profile and no text chunks.
`image_strip_metadata` does the same to a file already stored (`manage.py photos_strip_metadata`).
"""

from __future__ import annotations

import io
import os

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models
from django.db.models.fields.files import ImageFieldFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

#: The format each decoded format is written in, and its extension. A phone's MPO (a JPEG with a
#: second, depth image) becomes a plain JPEG; anything else (GIF, BMP, TIFF) a PNG.
_OUTPUT = {
    "JPEG": ("JPEG", ".jpg"),
    "MPO": ("JPEG", ".jpg"),
    "PNG": ("PNG", ".png"),
    "WEBP": ("WEBP", ".webp"),
}
_FALLBACK = ("PNG", ".png")


def _to_srgb(image: Image.Image, icc: bytes) -> Image.Image:
    """The image's colours in sRGB, so that dropping its profile does not change how it looks."""
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        mode = image.mode if image.mode in ("RGB", "RGBA", "L") else "RGB"
        converted = ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"), outputMode=mode)
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image  # a broken profile: the pixels as they are, the profile dropped anyway
    return converted if converted is not None else image


def image_clean_bytes(data: bytes) -> tuple[bytes, str]:
    """The image re-encoded without metadata, and the extension of its new format.

    Raises ValidationError (Vietnamese message) if the bytes are not an image Pillow can read."""
    try:
        with Image.open(io.BytesIO(data)) as source:
            fmt, extension = _OUTPUT.get(source.format or "", _FALLBACK)
            icc = source.info.get("icc_profile")
            image = ImageOps.exif_transpose(source)  # upright, as the camera meant it; also a full load
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as error:
        raise ValidationError(
            _("This file is not an image that can be read."), code="invalid_image"
        ) from error
    if icc:
        image = _to_srgb(image, icc)
    if fmt == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    elif fmt == "WEBP" and image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA" if "A" in image.mode or "transparency" in image.info else "RGB")
    # A fresh image holds the pixels only: `info` (EXIF, XMP, ICC, PNG text, comments) stays behind.
    clean = Image.new(image.mode, image.size)
    if image.mode == "P":
        clean.putpalette(image.getpalette())
    clean.paste(image)
    out = io.BytesIO()
    options = {"quality": 90, "optimize": True} if fmt == "JPEG" else {}
    if fmt == "WEBP":
        options = {"quality": 90}
    clean.save(out, format=fmt, **options)
    return out.getvalue(), extension


def image_has_metadata(data: bytes) -> bool:
    """Whether an image file carries EXIF, XMP, an ICC profile or text chunks (what the cleaning drops)."""
    with Image.open(io.BytesIO(data)) as image:
        if image.getexif():
            return True
        keys = set(image.info) - {
            "dpi",
            "jfif",
            "jfif_version",
            "jfif_unit",
            "jfif_density",
            "progressive",
            "progression",
            "transparency",
            "gamma",
            "aspect",
            "adobe",
            "adobe_transform",
            "loop",
            "duration",
            "background",
            "interlace",
            "srgb",
        }
        return bool(keys)


def _name_with(name: str, extension: str) -> str:
    root, old = os.path.splitext(name)
    return (
        name
        if old.lower() in ({extension, ".jpeg"} if extension == ".jpg" else {extension})
        else root + extension
    )


def image_strip_metadata(*, storage, name: str) -> str | None:
    """Re-encode a stored image without metadata, in place (same name; a new name only if the format
    changes). Returns the name it is stored under, or None if the file was clean already."""
    with storage.open(name, "rb") as stored:
        data = stored.read()
    if not image_has_metadata(data):
        return None
    clean, extension = image_clean_bytes(data)
    new_name = _name_with(name, extension)
    storage.delete(name)
    return storage.save(new_name, ContentFile(clean))


class CleanImageFieldFile(ImageFieldFile):
    def save(self, name, content, save=True):
        """Every new upload passes here (`FileField.pre_save`) before it reaches the storage."""
        content.seek(0)
        data, extension = image_clean_bytes(content.read())
        super().save(_name_with(name, extension), ContentFile(data), save=save)


class CleanImageField(models.ImageField):
    """An ImageField whose uploads are stored re-encoded without metadata (see the module docstring)."""

    attr_class = CleanImageFieldFile

    def deconstruct(self):
        # Migrations see a plain ImageField: the cleaning is code, not schema, and this keeps the
        # migration history free of a field class that could never be removed again.
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.ImageField", args, kwargs


def images_strip_stored(*, fields: list[tuple[type[models.Model], str]], stdout=None) -> tuple[int, int]:
    """Strip the metadata of every stored image of these (model, field name) pairs, row by row;
    a row whose file changed format gets its new name. Returns (images cleaned, images unreadable).

    Takes models as arguments so that a data migration can pass its historical models."""
    cleaned = unreadable = 0
    for model, field_name in fields:
        storage = model._meta.get_field(field_name).storage
        rows = model._default_manager.exclude(**{field_name: ""}).exclude(**{f"{field_name}__isnull": True})
        for pk, name in rows.values_list("pk", field_name).iterator():
            try:
                new_name = image_strip_metadata(storage=storage, name=name)
            except (FileNotFoundError, ValidationError, OSError):
                unreadable += 1  # a missing or broken file: left as it is, reported
                if stdout is not None:
                    stdout.write(f"{model._meta.label} {pk}: {name} ?")
                continue
            if new_name is None:
                continue
            cleaned += 1
            if new_name != name:
                model._default_manager.filter(pk=pk).update(**{field_name: new_name})
    return cleaned, unreadable
