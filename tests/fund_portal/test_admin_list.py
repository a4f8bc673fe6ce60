"""The admin lists' row checkbox, written by `ScopedAdminMixin.action_checkbox` without the form
templates: the HTML must stay Django's own, escaping included, in both languages."""

import pytest
from django.contrib import admin
from django.contrib.admin import ModelAdmin
from django.utils import translation

from children.models import Child
from donations.models import Donation
from fund_portal.admin import ScopedAdminMixin


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize(
    "obj",
    [
        Child(pk=7, full_name="Lê \"Bé\" & <b>Na</b> 'y'"),
        Donation(pk=12345, receipt_number="2026-000001"),
    ],
)
def test_the_row_checkbox_is_djangos_html(obj, language):
    model_admin = admin.site._registry[type(obj)]
    assert isinstance(model_admin, ScopedAdminMixin)
    with translation.override(language):
        ours = model_admin.action_checkbox(obj)
        djangos = ModelAdmin.action_checkbox(model_admin, obj)
    assert ours == djangos
    assert 'value="' + str(obj.pk) + '"' in ours
