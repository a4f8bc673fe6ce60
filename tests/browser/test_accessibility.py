"""axe-core (the copy that `axe-playwright-python` ships, so no network) over the key pages of the demo,
on a phone and on a desk: no serious or critical violation. On the phone, no amount breaks before its
"₫" and no page is wider than the screen (a wide table scrolls in its own frame)."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth import get_user_model
from django.urls import reverse

from campaigns.models import Campaign
from children.models import Child
from fund_portal.demo import DEMO_PASSWORD, seed_demo

from .helpers import DESKTOP, PHONE, log_in

pytestmark = pytest.mark.django_db(transaction=True)

SERIOUS = {"serious", "critical"}
AXE = Axe()
User = get_user_model()


def serious_violations(page) -> list[str]:
    """What axe finds that is serious or critical, one line per rule with the first elements it names."""
    found = AXE.run(page).response["violations"]
    return [
        f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes'][:3]]}"
        for v in found
        if v["impact"] in SERIOUS
    ]


def layout_faults(page) -> list[str]:
    """Amounts split over two lines, and a page wider than its window."""
    return page.evaluate(
        """() => {
          const faults = [];
          for (const el of document.querySelectorAll('.money')) {
            if (el.getClientRects().length > 1) faults.push('amount wraps: ' + el.textContent);
          }
          if (document.documentElement.scrollWidth > window.innerWidth + 1) {
            faults.push('page wider than the window: ' + document.documentElement.scrollWidth);
          }
          for (const wrap of document.querySelectorAll('.table-wrap')) {
            if (wrap.scrollWidth > wrap.clientWidth && wrap.tabIndex !== 0) {
              faults.push('scrolling table not focusable');
            }
          }
          return faults;
        }"""
    )


def walk(page, urls, shot, label) -> dict[str, list[str]]:
    problems = {}
    for name, url in urls:
        page.goto(url)
        page.wait_for_load_state("networkidle")
        shot(page, f"{label}-{name}")
        found = serious_violations(page) + layout_faults(page)
        if found:
            problems[f"{label} {url}"] = found
    return problems


def test_the_key_pages_have_no_serious_accessibility_violation_on_a_phone_or_a_desk(new_context, shot):
    logins = {login.username: login for login in seed_demo()}
    campaign = Campaign.objects.filter(is_public=True).order_by("-starts_on").first()
    officer = User.objects.get(username="canbo.danly")
    child = Child.objects.visible_to(officer).first()
    public = [
        ("home", "/"),
        ("donate", "/donate/"),
        ("campaign", reverse("public:campaign_detail", args=[campaign.slug])),
        ("transparency", "/transparency/"),
    ]
    portal = [
        ("dashboard", reverse("portal:dashboard")),
        ("children", reverse("children:list")),
        ("child", child.get_absolute_url()),
    ]
    officer_page = new_context(PHONE).new_page()
    log_in(officer_page, "canbo.danly", DEMO_PASSWORD)
    staff_page = new_context(PHONE).new_page()  # a TOTP code is taken once: one login for both sizes
    log_in(staff_page, "canbo.huyen", DEMO_PASSWORD, totp_secret=logins["canbo.huyen"].totp_secret)
    visitor_page = new_context(PHONE).new_page()
    problems = {}
    for viewport, label in ((PHONE, "phone"), (DESKTOP, "desk")):
        for page, urls in (
            (visitor_page, public),
            (officer_page, portal),
            (staff_page, [("admin", "/admin/")]),
        ):
            page.set_viewport_size(viewport)
            problems |= walk(page, urls, shot, label)
    assert not problems, "\n".join(f"{page}: {found}" for page, found in problems.items())
