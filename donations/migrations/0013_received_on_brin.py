"""A BRIN index of the donations' dates (PostgreSQL): the period's donations are read by the blocks
that hold them, not by the whole table or by 1,400,000 entries of `donation_date_idx`.

Donations are recorded in about the order they arrive, so the blocks of a year lie together: with
5,000,000 donations the report figures of a year's period read a quarter of the table (the planner
weighs the index by that correlation, and does without it when it is not there). A BRIN index is a
few pages, and an insert costs it next to nothing: autovacuum summarises each range of blocks as it
fills (`autosummarize`), and blocks not summarised yet are always read.
"""

from django.db import migrations


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS donation_received_brin ON donations_donation "
            "USING brin (received_on) WITH (pages_per_range = 32, autosummarize = on)"
        )


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS donation_received_brin")


class Migration(migrations.Migration):
    dependencies = [("donations", "0012_ledger_month")]

    operations = [migrations.RunPython(forward, backward)]
