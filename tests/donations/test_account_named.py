"""An account that a donation or a ledger entry names is kept: the columns that name it have no
foreign-key constraint (migration 0033, issue 20), so Django's PROTECT and a trigger on the accounts'
table refuse its deletion instead, whoever deletes."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError

from donations.models import Donation, LedgerEntry
from donations.services.donations import donation_create, donation_post
from fund_portal.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

#: The trigger's refusal (an account's other links, its role, would refuse a DELETE too).
NAMED = "A donation or a ledger entry names this account"


def _delete_in_sql(user: User) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM fund_portal_user WHERE id = %s", [user.pk])


def _renumber_in_sql(user: User) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE fund_portal_user SET id = id + 1000000 WHERE id = %s", [user.pk])


def _no_key_constraint(table: str, column: str) -> bool:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return not any(c["foreign_key"] and c["columns"] == [column] for c in constraints.values())


def test_the_three_account_columns_carry_no_key_constraint_and_keep_their_index():
    for table, column in (
        ("donations_donation", "created_by_id"),
        ("donations_donation", "posted_by_id"),
        ("donations_ledgerentry", "created_by_id"),
    ):
        assert _no_key_constraint(table, column), (table, column)
        with connection.cursor() as cursor:
            constraints = connection.introspection.get_constraints(cursor, table)
        assert any(c["index"] and c["columns"] == [column] for c in constraints.values()), (table, column)


@pytest.mark.parametrize("role", ["recorder", "poster"])
def test_an_account_that_recorded_or_posted_a_donation_is_kept(
    fund, yesterday, district_staff, second_staff, role
):
    recorder, poster = district_staff, second_staff
    donation = donation_create(fund=fund, amount=500_000, received_on=yesterday, by=recorder)
    donation_post(donation=donation, by=poster)
    entry = LedgerEntry.objects.get(donation=donation)
    assert (donation.created_by, entry.created_by) == (recorder, poster)
    user = recorder if role == "recorder" else poster

    with pytest.raises(ProtectedError):
        user.delete()
    with pytest.raises(IntegrityError, match=NAMED):
        _delete_in_sql(user)
    with pytest.raises(IntegrityError, match=NAMED):
        _renumber_in_sql(user)
    assert User.objects.filter(pk=user.pk).exists()
    assert Donation.objects.filter(pk=donation.pk, created_by=recorder, posted_by=poster).exists()


def test_an_account_that_only_entered_a_ledger_entry_is_kept(fund, yesterday, second_staff):
    donation = donation_create(fund=fund, amount=500_000, received_on=yesterday, by=None)
    poster = second_staff
    donation_post(donation=donation, by=poster)
    # The donation names nobody as its recorder; the ledger's entry alone names the account that posted.
    Donation.objects.filter(pk=donation.pk).update(posted_by=None)

    with pytest.raises(ProtectedError):
        poster.delete()
    with pytest.raises(IntegrityError, match=NAMED):
        _delete_in_sql(poster)
    assert User.objects.filter(pk=poster.pk).exists()


def test_an_account_no_donation_names_can_still_be_deleted_and_renumbered(fund, yesterday):
    donation_post(
        donation=donation_create(fund=fund, amount=500_000, received_on=yesterday, by=None), by=None
    )
    other = UserFactory(username="khac")
    _renumber_in_sql(other)
    renumbered = User.objects.get(username="khac")
    assert renumbered.pk == other.pk + 1_000_000
    _delete_in_sql(renumbered)
    assert not User.objects.filter(username="khac").exists()
