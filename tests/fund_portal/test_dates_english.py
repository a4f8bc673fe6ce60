"""Dates read dd/mm/yyyy in English too: shown, typed and picked, in the portal and the admin.

Django's own English formats show 15/03/2015 as "03/15/2015" and read "05/04/2015" as 4 May;
`fund_portal/formats/en` keeps the fund's order whatever the language.
"""

import datetime as dt
import json
import re

import pytest
from django import forms
from django.template import Context, Template
from django.urls import reverse
from django.utils import formats, timezone, translation

from children.models import Incident, IncidentKind
from children.services.registry import child_register
from tests.factories import officer, staff

pytestmark = pytest.mark.django_db

BIRTH = dt.date(2015, 3, 15)


def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def register(by, commune):
    return child_register(
        by=by, full_name="Lê Thị Lan", birth_date=BIRTH, sex="female", ethnicity="01", commune=commune
    )


@pytest.mark.parametrize("language", ["en", "vi"])
def test_dates_show_and_parse_day_first_in_every_language(language):
    with translation.override(language):
        assert formats.date_format(BIRTH, "SHORT_DATE_FORMAT") == "15/03/2015"
        assert Template("{{ d|date }}").render(Context({"d": BIRTH})) == "15/03/2015"
        assert forms.DateField().clean("05/04/2015") == dt.date(2015, 4, 5)
        with pytest.raises(forms.ValidationError):
            forms.DateField().clean("03/15/2015")
        moment = forms.DateTimeField().clean("05/04/2026 14:30")
        assert timezone.localtime(moment).replace(tzinfo=None) == dt.datetime(2026, 4, 5, 14, 30)  # noqa: DTZ001 (a wall-clock time)
        assert formats.get_format("DATE_INPUT_FORMATS")[0] == "%d/%m/%Y"


def test_an_english_officer_sees_and_edits_a_birth_date_day_first(client, tree, settings):
    user = officer(tree["a"])
    child = register(user, tree["a"])
    english(client, settings).force_login(user)

    detail = client.get(reverse("children:detail", args=[child.pk])).content.decode()
    assert '<html lang="en">' in detail
    assert "15/03/2015" in detail and "03/15/2015" not in detail
    edit = client.get(reverse("children:edit", args=[child.pk])).content.decode()
    assert re.search(r'name="birth_date"[^>]*value="15/03/2015"', edit) or re.search(
        r'value="15/03/2015"[^>]*name="birth_date"', edit
    )


def test_an_english_officer_types_an_incident_time_day_first(client, tree, settings):
    user = officer(tree["a"])
    english(client, settings).force_login(user)

    form = client.get(reverse("children:incident_new")).content.decode()
    occurred = re.search(r'<input[^>]*name="occurred_at"[^>]*>', form).group(0)
    assert 'type="text"' in occurred and 'placeholder="dd/mm/yyyy hh:mm"' in occurred
    assert "datetime-local" not in form
    response = client.post(
        reverse("children:incident_new"),
        {
            "commune": tree["a"].pk,
            "kind": IncidentKind.DROWNING,
            "occurred_at": "05/04/2026 14:30",
            "child_description": "A boy of about 6",
            "description": "Fell into the pond behind the house.",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    occurred_at = timezone.localtime(Incident.objects.get().occurred_at)
    assert (occurred_at.day, occurred_at.month, occurred_at.hour) == (5, 4, 14)


def test_the_english_admin_shows_reads_and_picks_dates_day_first(client, tree, settings):
    user = staff(tree["d1"], is_staff=True)
    child = register(officer(tree["a"]), tree["a"])
    english(client, settings).force_login(user)

    change = client.get(reverse("admin:children_child_change", args=[child.pk])).content.decode()
    assert '<html lang="en"' in change
    assert re.search(r'<input[^>]*name="birth_date"[^>]*value="15/03/2015"', change) or re.search(
        r'<input[^>]*value="15/03/2015"[^>]*name="birth_date"', change
    )
    # The calendar widget writes the first input format of the page's language into the field.
    catalog = client.get(reverse("admin:jsi18n")).content.decode()
    found = re.search(r'"DATE_INPUT_FORMATS": (\[[^\]]*\])', catalog)
    assert json.loads(found.group(1))[0] == "%d/%m/%Y"
    found = re.search(r'"DATETIME_INPUT_FORMATS": (\[[^\]]*\])', catalog)
    assert json.loads(found.group(1))[0] == "%d/%m/%Y %H:%M"
