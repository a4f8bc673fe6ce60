"""A bank transaction is one statement line: unique (bank account, bank's transaction number).

Before this, a line was known by a hash of its date, amount, description and number, so a statement
re-exported with its descriptions respaced or recased was stored again as new lines, and those lines
could be posted a second time. The numbers are first written the one way the import now writes them
(no spaces, upper case). Where a number is on several lines already, one line keeps it: the line
that posted a donation (the first of them), else the first line. The others lose the number (it is
kept in their note, with the line that holds it); those still waiting are set aside as not donations,
so nobody posts them again. Lines that already posted a donation keep their donation: posted entries
are never rewritten here; if one transfer was posted twice, staff reverse the second donation.
"""

from django.conf import settings
from django.db import migrations, models
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _

WAITING, MATCHED, POSTED_NEW, IGNORED = "unmatched", "matched", "posted_new", "ignored"


def bank_ref_key(value: str) -> str:
    """As `reconciliation.bank_ref_key` wrote it when this migration was made."""
    return "".join((value or "").split()).upper()[:64]


def forward(apps, schema_editor):
    Line = apps.get_model("donations", "BankStatementLine")
    groups: dict[tuple, list] = {}
    for line in Line.objects.exclude(bank_ref="").order_by("pk").iterator():
        key = bank_ref_key(line.bank_ref)
        if key:
            groups.setdefault((line.bank_account_id, key), []).append(line)
    # The copies give up the number first, then the line that keeps it has it rewritten: never two
    # lines with one number, even at a moment.
    keepers = []
    for (_account, key), lines in groups.items():
        posted = [line for line in lines if line.status in (MATCHED, POSTED_NEW)]
        keeper = posted[0] if posted else lines[0]
        keepers.append((keeper, key))
        for line in lines:
            if line is keeper:
                continue
            with translation.override(settings.LANGUAGE_CODE):  # staff read the note
                note = _("Bank transaction %(ref)s is line #%(line)s; an earlier import stored it again.") % {
                    "ref": key,
                    "line": keeper.pk,
                }
            line.note = f"{note} {line.note}".strip()[:255]
            line.bank_ref = ""
            if line.status == WAITING:
                line.status = IGNORED
            line.save(update_fields=["note", "bank_ref", "status"])
    for keeper, key in keepers:
        if keeper.bank_ref != key:
            keeper.bank_ref = key
            keeper.save(update_fields=["bank_ref"])
    # A line without a number is left as it is: it keeps its older identity, `line_key`.


class Migration(migrations.Migration):
    dependencies = [("donations", "0013_received_on_brin")]

    operations = [
        migrations.AddField(
            model_name="bankstatement",
            name="known_lines",
            field=models.PositiveIntegerField(default=0, verbose_name="already on record"),
        ),
        migrations.RunPython(forward, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="bankstatementline",
            constraint=models.UniqueConstraint(
                condition=~Q(bank_ref=""),
                fields=("bank_account", "bank_ref"),
                name="statement_line_bank_ref_once",
            ),
        ),
    ]
