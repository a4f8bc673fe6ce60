from django.db import migrations, models


class Migration(migrations.Migration):
    """Indexes of the public statement (donations.transparency): the month statement as an index-only
    scan, and the few restricted entries for the balances by restriction."""

    dependencies = [("donations", "0008_entry_kind_transfer_in")]

    operations = [
        migrations.AddIndex(
            model_name="ledgerentry",
            index=models.Index(
                fields=["fund", "entry_date", "medium", "kind", "disbursement", "amount"],
                name="entry_fund_statement_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="ledgerentry",
            index=models.Index(
                condition=models.Q(("restriction", "none"), _negated=True),
                fields=["fund", "restriction"],
                name="entry_fund_restricted_idx",
            ),
        ),
    ]
