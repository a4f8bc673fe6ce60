"""Every field and model of the portal's apps has a translatable label that reads in Vietnamese.

A field added without `verbose_name=_("...")`, or with an English msgid missing from the Vietnamese
catalogue, would show an English label in the admin, the exports and the forms.
"""

from django.apps import apps
from django.utils import translation
from django.utils.functional import Promise

PORTAL_APPS = ["fund_portal", "donations", "children", "campaigns", "reports"]

# (app, model, field) whose Vietnamese label is rightly the same as the English one.
SAME_IN_VIETNAMESE = {
    ("reports", "Report", "pdf"),  # "PDF" is the name of the format in both languages
}


def portal_models():
    for app in PORTAL_APPS:
        yield from apps.get_app_config(app).get_models()


def labelled_fields():
    for model in portal_models():
        for field in model._meta.get_fields():
            if field.concrete and not field.auto_created:
                yield model, field


def test_every_field_has_a_translatable_label():
    untranslatable = [
        f"{model._meta.label}.{field.name}"
        for model, field in labelled_fields()
        if not isinstance(field.verbose_name, Promise)
    ]
    assert untranslatable == [], "give these fields verbose_name=_('...')"


def test_every_field_label_reads_in_vietnamese():
    still_english = []
    for model, field in labelled_fields():
        if (model._meta.app_label, model.__name__, field.name) in SAME_IN_VIETNAMESE:
            continue
        with translation.override(None):
            english = str(field.verbose_name)
        with translation.override("vi"):
            vietnamese = str(field.verbose_name)
        if vietnamese == english:
            still_english.append(f"{model._meta.label}.{field.name}: {english!r}")
    assert still_english == [], "add these labels to locale/vi/LC_MESSAGES/django.po"


def test_every_model_has_a_translatable_name():
    untranslatable = [
        model._meta.label
        for model in portal_models()
        if not isinstance(model._meta.verbose_name, Promise)
        or not isinstance(model._meta.verbose_name_plural, Promise)
    ]
    assert untranslatable == [], "give these models Meta.verbose_name and verbose_name_plural = _('...')"
