"""Whether the sums the ledger's triggers keep (the month totals `LedgerMonth`, the donors' yearly sums
`DonorYear`, the donors' month lines `DonorMonth`, the campaigns' totals `CampaignRaised`) agree with
the entries, and the donations' own (`DonationDay`, `PostedDonorMonth`) with the posted donations."""

from __future__ import annotations

from ..ledger_sql import campaigns_raised_sql, donor_months_sql, donor_years_sql, months_from_ledger_sql
from ..period_sql import donation_days_sql, posted_donor_months_sql


def months_differences(connection) -> list[dict]:
    """Where LedgerMonth and the entries disagree (empty when they agree): one dict per key."""
    key_columns = ("fund_id", "month", "medium", "kind", "link")
    with connection.cursor() as cursor:
        cursor.execute(months_from_ledger_sql(connection.vendor))
        expected = {tuple(str(v) for v in row[:5]): row[5:] for row in cursor.fetchall()}
        cursor.execute(
            "SELECT fund_id, month, medium, kind, link, inflow, outflow, entries FROM donations_ledgermonth"
        )
        kept = {tuple(str(v) for v in row[:5]): row[5:] for row in cursor.fetchall()}
    differences = []
    for key in sorted(set(expected) | set(kept)):
        want, have = expected.get(key, (0, 0, 0)), kept.get(key, (0, 0, 0))
        if tuple(want) != tuple(have):
            differences.append({**dict(zip(key_columns, key, strict=True)), "ledger": want, "kept": have})
    return differences


#: Each sum the triggers keep beside the month totals: its table, its key and total columns, and the
#: SELECT of what it must hold (by database).
_SUMMARIES = {
    "donor_years": ("donations_donoryear", "fund_id, donor_id, year", "total", donor_years_sql),
    "donor_months": (
        "donations_donormonth",
        "fund_id, month, donor_id, name, display_preference, anonymous",
        "total",
        donor_months_sql,
    ),
    "campaigns_raised": (
        "donations_campaignraised",
        "campaign_id",
        "total",
        lambda _vendor: campaigns_raised_sql(),
    ),
    # These two follow the posted donations, not the ledger (`donations.period_sql`).
    "donation_days": (
        "donations_donationday",
        "fund_id, day, source, kind, campaign",
        "n, amount",
        lambda _vendor: donation_days_sql(),
    ),
    "posted_donor_months": (
        "donations_posteddonormonth",
        "fund_id, month, donor_id",
        "n, amount",
        posted_donor_months_sql,
    ),
}


def summaries_differences(connection) -> dict[str, list[tuple]]:
    """Where the other sums the triggers keep disagree with the ledger: what each donor gave each fund
    in a year (`DonorYear`) and what each campaign raised (`CampaignRaised`); and with the posted
    donations: their sums by day (`DonationDay`) and by donor and month (`PostedDonorMonth`). Each a list of
    (source, *key, total) rows found on one side only ("ledger": computed from the entries, "kept": the
    table). Zero sums count as no row. Compared in the database: 20,000,000 entries make millions of
    donor-years."""
    found = {}
    for name, (table, keys, total, select) in _SUMMARIES.items():
        some = " OR ".join(f"{column} <> 0" for column in total.split(", "))
        expected = f"SELECT {keys}, {total} FROM ({select(connection.vendor)}) AS e WHERE {some}"
        kept = f"SELECT {keys}, {total} FROM {table} WHERE {some}"  # noqa: S608  our names
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT 'ledger', * FROM ({expected} EXCEPT {kept}) AS a "  # noqa: S608  our SQL
                f"UNION ALL SELECT 'kept', * FROM ({kept} EXCEPT {expected}) AS b"
            )
            found[name] = sorted(cursor.fetchall(), key=lambda row: row[1:])
    return found
