"""Needs and stories on the public site: counts by commune and area, consented anonymised stories only."""

import datetime as dt

import pytest
from django.utils import timezone

from children.models import Child, Circumstance
from children.services.care import needs_assess
from donations.models import NeedArea
from tests.factories import officer

from .helpers import text_of

pytestmark = pytest.mark.django_db


def flat(html: str) -> str:
    return " ".join(text_of(html).split())


def child(commune, name, *, age, story="", story_consent=False, data_consent=True, **fields):
    today = timezone.localdate()
    return Child.objects.create(
        full_name=name,
        name_folded=name.lower(),
        birth_date=today.replace(year=today.year - age) - dt.timedelta(days=10),
        sex="female",
        commune=commune,
        story=story,
        story_consent=story_consent,
        data_consent=data_consent,
        **fields,
    )


@pytest.fixture
def registry(tree):
    a, b = tree["a"], tree["b"]
    year = timezone.localdate().year
    on = timezone.localdate().replace(month=1, day=15)
    by = officer(a, username="canbo.an")
    by_b = officer(b, username="canbo.binh")
    children = {
        "lan": child(
            a,
            "Nguyễn Thị Lan",
            age=8,
            story="Em thích đi học và mơ làm cô giáo.",
            story_consent=True,
            personal_id="038212000001",
            address="Thôn 1, Xã An",
        ),
        "mai": child(a, "Lê Thị Mai", age=6, story="Em cần áo ấm cho mùa đông.", story_consent=False),
        "hoa": child(a, "Trần Thị Hoa", age=12, story="Câu chuyện nhạy cảm.", story_consent=True),
        "cuc": child(
            b, "Phạm Thị Cúc", age=10, story="Em muốn có sách.", story_consent=True, data_consent=False
        ),
    }
    Circumstance.objects.create(child=children["hoa"], group="G11", identified_on=on)
    for key in ("lan", "mai", "hoa"):
        needs_assess(child=children[key], by=by, year=year, on=on, needs={NeedArea.WARM_CLOTHES: (3, "")})
    needs_assess(
        child=children["lan"],
        by=by,
        year=year,
        on=on,
        needs={NeedArea.WARM_CLOTHES: (3, ""), NeedArea.EDUCATION: (2, "")},
    )
    needs_assess(child=children["cuc"], by=by_b, year=year, on=on, needs={NeedArea.EDUCATION: (1, "")})
    return children


def test_needs_are_counted_by_commune_and_area_with_a_link_to_donate_to_them(client, registry):
    html = client.get("/needs/").content.decode()
    text = flat(html)
    assert "Xã An: 3 trẻ cần Đồ ấm" in text
    assert "Xã An: 1 trẻ cần Giáo dục" in text
    assert "Xã Bình: 1 trẻ cần Giáo dục" in text
    assert 'href="/donate/?purpose=need:warm_clothes"' in html
    # Each area's button once, above the communes, whatever the number of communes that need it.
    assert html.count('href="/donate/?purpose=need:education"') == 1
    assert "Ủng hộ theo lĩnh vực" in text


def test_only_consented_stories_are_shown_as_initial_age_and_commune(client, registry):
    text = flat(client.get("/needs/").content.decode())
    assert "L., 8 tuổi, Xã An" in text and "Em thích đi học và mơ làm cô giáo." in text
    assert "Em cần áo ấm cho mùa đông." not in text  # no story consent
    assert "Em muốn có sách." not in text  # no consent to keep the data
    assert "Câu chuyện nhạy cảm." not in text  # a sensitive group
    for c in registry.values():
        assert c.full_name not in text
    assert "038212000001" not in text and "Thôn 1" not in text


def test_no_sensitive_group_is_named_on_the_needs_page(client, registry):
    from children.reference.circumstances import SENSITIVE_CODES, group

    text = flat(client.get("/needs/").content.decode())
    for code in SENSITIVE_CODES:
        assert group(code).name not in text


def test_a_withdrawn_story_consent_leaves_the_needs_page_on_the_next_load(
    client, registry, django_capture_on_commit_callbacks
):
    from children.services.registry import consent_set

    assert "Em thích đi học và mơ làm cô giáo." in flat(client.get("/needs/").content.decode())
    lan = registry["lan"]
    with django_capture_on_commit_callbacks(execute=True):
        consent_set(
            child=lan, by=officer(lan.commune, username="canbo.an2"), data_consent=True, story_consent=False
        )
    assert "Em thích đi học và mơ làm cô giáo." not in flat(client.get("/needs/").content.decode())
