"""Management commands: seed_demo, units."""

from io import StringIO

import pytest
from allauth.mfa.models import Authenticator
from django.core.management import CommandError, call_command

from fund_portal.models import AdministrativeUnit, Role, User

pytestmark = pytest.mark.django_db


def call(*args, **kwargs) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO(), **kwargs)
    return out.getvalue()


def test_seed_demo_is_idempotent_and_prints_logins_with_the_staff_totp_secret(settings):
    settings.DEBUG = True
    first = call("seed_demo")
    from children.models import Child
    from donations.models import Donation

    def counts():
        return tuple(m.objects.count() for m in (AdministrativeUnit, User, Authenticator, Donation, Child))

    first_counts = counts()
    second = call("seed_demo")
    assert counts() == first_counts
    assert Child.objects.filter(commune__code="15703").count() == 10 and Donation.objects.exists()

    staff = User.objects.get(username="canbo.huyen")
    assert staff.role == Role.DISTRICT_STAFF and staff.unit.name == "Huyện Triệu Sơn" and staff.is_staff
    assert User.objects.filter(role=Role.COMMUNE_OFFICER, unit__parent=staff.unit).count() == 5
    assert AdministrativeUnit.objects.get(code="15670").is_especially_difficult
    for output in (first, second):
        assert "canbo.huyen" in output and "canbo.danly" in output
    secret_lines = [line for line in first.splitlines() if "TOTP" in line]
    assert secret_lines and secret_lines[0].split()[-1] in second  # the same secret both times


def test_seed_demo_refuses_to_create_known_passwords_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call("seed_demo")
    assert not User.objects.exists()


def test_units_prints_code_level_name_parent(tree):
    output = call("units", "list", "--under", "901")
    lines = output.splitlines()
    assert lines[1].split() == ["901", "district", "Huyện", "Một", "90"]
    assert any(line.split()[0] == "90101-01" for line in lines)
    assert "90201" not in output


def test_units_with_an_unknown_code_says_so(tree):
    with pytest.raises(CommandError, match="ZZZ"):
        call("units", "list", "--under", "ZZZ")
