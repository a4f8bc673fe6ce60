"""Two clicks on "Donate" at the same moment: both land on the one donation's page, as a single click does."""

import threading

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from donations.models import Donation
from tests.donations.test_donate import form_data, public_fund  # noqa: F401  (a fixture)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite runs one write transaction at a time, so the clicks cannot race",
    ),
]

PAIRS = 40


def test_simultaneous_double_clicks_record_one_donation_and_answer_as_one_click(public_fund, settings):  # noqa: F811
    settings.DONATE_RATE_LIMIT = 0  # 32 posts from one address: the budget is not what is tested here
    answers: dict[str, list] = {f"tok-pair-{n:02d}-0123456789": [] for n in range(PAIRS)}

    def click(token: str, barrier: threading.Barrier) -> None:
        try:
            barrier.wait()
            response = Client().post(reverse("donations:donate"), form_data(client_token=token))
            answers[token].append((response.status_code, response.get("Location")))
        except Exception as exc:  # noqa: BLE001  a 500 in the test client: surfaced below
            answers[token].append((500, repr(exc)))
        finally:
            connections.close_all()

    for token in answers:
        barrier = threading.Barrier(2)
        pair = [threading.Thread(target=click, args=(token, barrier)) for _ in range(2)]
        for thread in pair:
            thread.start()
        for thread in pair:
            thread.join()

    for token, pair in answers.items():
        donation = Donation.objects.get(client_token=token)
        page = reverse("donations:status", kwargs={"reference": donation.transfer_reference})
        assert pair == [(302, page), (302, page)], token
    assert Donation.objects.count() == PAIRS
