"""The admin's donation search by index: a receipt number by equality, and names through trigram
indexes (PostgreSQL): the donor record's folded name, and the name a donor gave folded in SQL exactly as
`fund_portal.lookups.FOLD_SQL` folds it (the expression is written out here, as it was when indexed)."""

from django.conf import settings
from django.db import migrations, models

FOLDED_DONOR_NAME = "regexp_replace(translate(lower(donor_name), 'àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴĐ', 'aaaaaaaaaaaaaaaaaeeeeeeeeeeeiiiiiooooooooooooooooouuuuuuuuuuuyyyyydaaaaaaaaaaaaaaaaaeeeeeeeeeeeiiiiiooooooooooooooooouuuuuuuuuuuyyyyyd'), '[\u0300-\u036f]', '', 'g')"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS donor_name_trgm_idx ON donations_donor USING gin (name_folded gin_trgm_ops)"
    )
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS donation_donor_name_trgm_idx ON donations_donation "
        f"USING gin (({FOLDED_DONOR_NAME}) gin_trgm_ops) WHERE donor_name <> ''"
    )


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS donation_donor_name_trgm_idx")
        schema_editor.execute("DROP INDEX IF EXISTS donor_name_trgm_idx")


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0005_gift_list_age_band"),
        ("donations", "0019_fund_public_identity"),
        ("fund_portal", "0009_news_post_unit"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(forward, backward),
        migrations.AddIndex(
            model_name="donation",
            index=models.Index(
                condition=models.Q(("receipt_number", ""), _negated=True),
                fields=["receipt_number"],
                name="donation_receipt_number_idx",
            ),
        ),
    ]
