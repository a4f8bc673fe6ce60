"""Public pages and files over the demo data hold nothing that identifies a child.

tests/public/test_privacy_and_cache.py already searches the public pages, the transparency pages
of every fund and month and the donor lists (CSV and XLSX) for every child's name and ID number.
This adds what it does not read: the sensitive groups (by name, in both languages), health notes,
guardians, incidents, the statement as XLSX, the sponsors' progress pages and the page that
follows a public donation, with every child's story consented to, and sensitive groups recorded
for the children whose stories and sponsorship are shown.
"""

import datetime as dt

import pytest
from django.utils import timezone

from children.models import Child, Circumstance, IncidentKind, Sponsorship
from children.reference.circumstances import SPECIAL_CIRCUMSTANCES
from children.services.incidents import incident_record
from donations.models import Donor, Fund, LedgerEntry
from fund_portal.demo import seed_demo
from fund_portal.models import User
from tests.public.helpers import fund_prefix

from .test_url_walk import readable_text

pytestmark = pytest.mark.django_db


def _sensitive_names() -> set[str]:
    names = set()
    for group in SPECIAL_CIRCUMSTANCES:
        if group.sensitive:
            names |= {group.name, group.name_en}
            names |= {s.name for s in group.subgroups} | {s.name_en for s in group.subgroups}
    return names


def test_no_public_page_or_file_tells_a_childs_sensitive_group_guardian_health_or_incident(client):
    seed_demo()
    today = timezone.localdate()
    children = list(Child.objects.order_by("pk"))
    Child.objects.update(data_consent=True, story_consent=True, story="Em thích đi học và mong có xe đạp.")
    for index, child in enumerate(children):
        Child.objects.filter(pk=child.pk).update(
            health_notes=f"Ghi chú sức khỏe mật số {index}",
            guardian_name=f"Người giám hộ Bí Danh {index}",
            guardian_phone=f"09120{index:05d}",
        )
    sensitive_codes = [g.code for g in SPECIAL_CIRCUMSTANCES if g.sensitive]
    sponsored = set(Sponsorship.objects.values_list("child_id", flat=True))
    for index, child in enumerate(children[:12] + [c for c in children if c.pk in sponsored]):
        Circumstance.objects.get_or_create(
            child=child,
            group=sensitive_codes[index % len(sensitive_codes)],
            defaults={"identified_on": today},
        )
    officer = User.objects.get(username="canbo.danly")
    incident_record(
        by=officer,
        commune=officer.unit,
        kind=IncidentKind.SEXUAL_ABUSE,
        occurred_at=timezone.now() - dt.timedelta(hours=1),
        description="Mô tả vụ việc không bao giờ công khai",
        child=children[0],
    )
    assert Sponsorship.objects.exists()

    pages = [
        "/",
        "/campaigns/",
        "/needs/",
        "/honour-roll/",
        "/news/",
        "/sitemap.xml",
        "/robots.txt",
        "/donate/",
    ]
    from campaigns.models import Campaign
    from fund_portal.models import NewsPost

    # Each on the pages of the fund that shows it (the demo has two funds side by side).
    others = {fund_prefix(f.unit.path) for f in Fund.objects.select_related("unit")} - {""}
    pages += [f"{prefix}{page}" for prefix in sorted(others) for page in pages if page.startswith("/")]
    pages += [
        f"{fund_prefix(c.unit.path)}/campaigns/{c.slug}/" for c in Campaign.objects.select_related("unit")
    ]
    pages += [
        f"{fund_prefix(p.unit.path) if p.unit else ''}/news/{p.slug}/"
        for p in NewsPost.objects.filter(is_published=True).select_related("unit")
    ]
    pages += [f"/sponsor/{token}/" for token in Sponsorship.objects.values_list("token", flat=True)]
    for fund in Fund.objects.select_related("unit"):
        years = {d.year for d in LedgerEntry.objects.filter(fund=fund).values_list("entry_date", flat=True)}
        prefix = fund_prefix(fund.unit.path)
        for year in years or {today.year}:
            query = f"?fund={fund.code}&year={year}"
            pages += [f"{prefix}/transparency/{query}", f"{prefix}/transparency/statement.xlsx{query}"]
            pages += [
                f"{prefix}/transparency/statement.csv{query}",
                f"{prefix}/transparency/donors.xlsx{query}&month={today.month}",
            ]
    texts = []
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        texts.append(readable_text(response))
    everything = "\n".join(texts)
    assert "tuổi" in everything  # the stories and sponsor pages were rendered

    donor_names = set(Donor.objects.values_list("name", flat=True))
    forbidden = _sensitive_names() | {"Mô tả vụ việc không bao giờ công khai"}
    for index, child in enumerate(children):
        forbidden |= {
            f"Ghi chú sức khỏe mật số {index}",
            f"Người giám hộ Bí Danh {index}",
            f"09120{index:05d}",
        }
        if child.full_name not in donor_names:
            forbidden.add(child.full_name)
    shown = sorted(text for text in forbidden if text in everything)
    assert shown == []
