"""`manage.py backup` and `manage.py restore` round-trip the database (PostgreSQL, as in production).

The round trip: the demo data (posted donations with receipt numbers, children, supports), a
backup, then damage (supports deleted, children renamed, one more donation posted), a restore;
everything is back as it was, and the next posted donation takes the receipt number after the
last one of the backup: no gap, no number used twice.
"""

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from campaigns.models import GiftListEntry
from children.models import Child, Support
from donations.models import Donation, DonationStatus, Fund, LedgerEntry, LedgerMonth
from donations.selectors.ledger import months_differences
from donations.services.donations import donation_create, donation_post
from fund_portal.demo import seed_demo
from tests.processes import run_python

ON_SQLITE = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
postgresql_only = pytest.mark.skipif(
    ON_SQLITE, reason="pg_dump/pg_restore need PostgreSQL; CI runs this with DATABASE_URL set"
)


def _snapshot() -> dict:
    return {
        "donations": list(
            Donation.objects.order_by("pk").values_list(
                "pk", "amount", "status", "receipt_number", "donor_name"
            )
        ),
        "ledger": list(LedgerEntry.objects.order_by("pk").values_list("pk", "amount", "donation_id")),
        # Restored as they were, not added to again by the trigger while the entries are loaded.
        "ledger_months": list(
            LedgerMonth.objects.order_by("pk").values_list("pk", "inflow", "outflow", "entries")
        ),
        "children": list(
            Child.objects.order_by("pk").values_list("pk", "full_name", "personal_id", "birth_date")
        ),
        "supports": list(Support.objects.order_by("pk").values_list("pk", "child_id", "kind", "value")),
    }


def _give(fund) -> Donation:
    donation = donation_create(
        fund=fund, amount=250_000, received_on=timezone.localdate(), donor_name="Sau sao lưu"
    )
    return donation_post(donation=donation, by=None)


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_every_donation_child_and_support_and_receipts_continue(tmp_path):
    seed_demo()
    fund = Fund.objects.get(code="qbtte-trieu-son")
    before = _snapshot()
    assert len(before["donations"]) > 30 and len(before["children"]) >= 50 and len(before["supports"]) > 10
    year = timezone.localdate().year
    posted = Donation.objects.filter(fund=fund, status=DonationStatus.POSTED, receipt_year=year)
    last = max(posted.values_list("receipt_seq", flat=True))

    backup = tmp_path / "quy.dump"
    call_command("backup", out=str(backup))
    assert backup.stat().st_size > 10_000

    GiftListEntry.objects.update(support=None)  # a handed-over gift list points at its supports
    Support.objects.all().delete()
    Child.objects.update(full_name="Đã bị sửa")
    lost = _give(fund)
    assert lost.receipt_seq == last + 1
    assert _snapshot() != before

    call_command("restore", str(backup), yes=True)
    assert _snapshot() == before
    following = _give(fund)
    assert following.receipt_seq == last + 1
    assert following.receipt_number == lost.receipt_number
    assert Donation.objects.filter(receipt_number=following.receipt_number).count() == 1
    assert months_differences(connection) == []  # the restored trigger counts the new posting


@postgresql_only
@pytest.mark.django_db
def test_restore_refuses_without_yes_and_backup_says_when_pg_dump_is_missing(tmp_path, monkeypatch):
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(tmp_path / "quy.dump"))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(CommandError, match="Không tìm thấy pg_dump"):
        call_command("backup", out=str(tmp_path / "quy.dump"))
    assert not (tmp_path / "quy.dump").exists()


def test_backup_and_restore_on_sqlite_are_refused_in_vietnamese(tmp_path):
    """The real commands in a process of their own on an SQLite database (whatever this run uses):
    each refuses in Vietnamese, exits with an error, and writes no file."""
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'portal.sqlite3'}", "DEBUG": "1"}
    dump = tmp_path / "quy.dump"
    for args in (["backup", "--out", str(dump)], ["restore", str(dump), "--yes"]):
        result = run_python(["manage.py", *args], env, tmp_path)
        assert result.returncode == 1, result.stderr
        assert "chỉ dùng được với PostgreSQL" in result.stderr
    assert not dump.exists()
