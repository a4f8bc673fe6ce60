"""Reads of the public site: what its pages show, built from the domain apps' public selectors.

Nothing here names a child or a donor who asked not to be named: the domain apps' selectors
(`children.selectors.public`, `donations.selectors.transparency`) decide what may be published; this module
shapes it."""

from __future__ import annotations

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Campaign
from donations.models import Fund
from donations.selectors import transparency
from donations.selectors.public_funds import public_fund_default
from fund_portal.models import AdministrativeUnit, NewsPost, UnitLevel


def _percent(part: int, whole: int) -> int:
    return min(100, round(part * 100 / whole)) if whole > 0 else 0


def campaign_cards(campaigns: list[Campaign]) -> list[dict]:
    raised = transparency.campaigns_raised(campaign_ids=[c.pk for c in campaigns])
    today = timezone.localdate()
    return [
        {
            "pk": c.pk,
            "name": c.name,
            "slug": c.slug,
            "url": reverse("public:campaign_detail", kwargs={"slug": c.slug}),
            "kind": c.get_kind_display(),
            "starts_on": c.starts_on,
            "ends_on": c.ends_on,
            "target": c.target_amount,
            "raised": raised.get(c.pk, 0),
            "percent": _percent(raised.get(c.pk, 0), c.target_amount),
            "state": "upcoming" if c.starts_on > today else ("over" if c.ends_on < today else "active"),
            "description": c.description,
        }
        for c in campaigns
    ]


#: What the public pages show of a campaign (and all they load: the campaigns app grows other fields).
CAMPAIGN_FIELDS = ("name", "slug", "kind", "unit_id", "starts_on", "ends_on", "target_amount", "description")


def public_campaigns(*, unit_path: str | None = None):
    """The public campaigns of a fund's pages: those of the units under `unit_path` (all for None)."""
    campaigns = Campaign.objects.filter(is_public=True)
    if unit_path is not None:
        campaigns = campaigns.filter(unit__path__startswith=unit_path)
    return campaigns.only(*CAMPAIGN_FIELDS).order_by("-starts_on", "-id")


def public_news(*, fund: Fund | None, unit_path: str | None):
    """The published news of a fund's pages: the posts of the units under `unit_path`, and those of no
    unit on the default fund's pages (all of them for None)."""
    posts = NewsPost.objects.published()
    if unit_path is None:
        return posts
    mine = Q(unit__path__startswith=unit_path)
    default = public_fund_default()
    if fund is not None and default is not None and fund.pk == default.pk:
        mine |= Q(unit__isnull=True)
    return posts.filter(mine)


def news_items(queryset) -> list[dict]:
    return [
        {
            "title": p.title,
            "url": p.get_absolute_url(),
            "summary": p.summary,
            "published_at": p.published_at,
        }
        for p in queryset
    ]


def transparency_data(fund: Fund, year: int | None, month: int | None, page: int = 1) -> dict:
    statement = transparency.fund_statement(fund=fund, year=year)
    months_with_entries = [row.month.month for row in statement.months]
    if month not in months_with_entries:
        month = months_with_entries[-1] if months_with_entries else None
    biggest = max([max(r.cash_in + r.goods_in, r.cash_out + r.goods_out) for r in statement.months] or [0])
    chart = [
        {
            "label": row.month.strftime("%m/%Y"),
            "in_pct": _percent(row.cash_in + row.goods_in, biggest),
            "out_pct": _percent(row.cash_out + row.goods_out, biggest),
            "in": row.cash_in + row.goods_in,
            "out": row.cash_out + row.goods_out,
        }
        for row in statement.months
    ]
    donors = None
    if month:
        donors = transparency.fund_donor_lines(fund=fund, year=statement.year, month=month, page=page)
    return {
        "fund": fund,
        "statement": statement,
        "totals": statement.totals,
        "chart": chart,
        "spending": transparency.fund_spending(fund=fund, year=statement.year),
        "balances": transparency.fund_balances(statement=statement),
        "donor_month": month,
        "donors": donors.rows if donors else [],
        "donor_lines": donors,
        "donors_total": donors.total if donors else 0,
        "donors_count": donors.count if donors else 0,
    }


def public_unit_counts(*, fund: Fund | None) -> dict[str, int]:
    """How many communes and villages a fund covers: an aggregate, safe to publish."""
    units = AdministrativeUnit.objects.all()
    if fund is not None:
        units = units.filter(path__startswith=fund.unit.path)
    rows = units.values("level").annotate(n=Count("pk"))
    counts = {row["level"]: row["n"] for row in rows}
    return {level: counts.get(level, 0) for level in (UnitLevel.COMMUNE, UnitLevel.VILLAGE)}
