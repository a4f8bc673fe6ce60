"""The default weights of the two factors of the child's commune (`children.priority`): an especially
difficult commune 20, the ethnic-minority and mountainous area 10. A weight staff already set is kept;
the values are written here, not read from `DEFAULT_WEIGHTS`, so that this migration stays what it was.

The children of the flagged communes get the new weights added to their score at once: before this
migration there is only the default set (the fund column is new), so the addition is the formula's.
"""

from django.db import migrations
from django.db.models import F
from django.db.models.functions import Coalesce

WEIGHTS = {
    "commune:especially_difficult": (
        20,
        "Xã đặc biệt khó khăn (QĐ 588/QĐ-TTg): ngang hộ nghèo.",
    ),
    "commune:ethnic_mountainous": (
        10,
        "Vùng dân tộc thiểu số và miền núi: ngang hộ cận nghèo.",
    ),
}


def seed(apps, schema_editor):
    PriorityWeight = apps.get_model("children", "PriorityWeight")
    have = set(
        PriorityWeight.objects.filter(fund__isnull=True, factor__in=WEIGHTS).values_list("factor", flat=True)
    )
    PriorityWeight.objects.bulk_create(
        PriorityWeight(factor=factor, weight=weight, note=note)
        for factor, (weight, note) in WEIGHTS.items()
        if factor not in have
    )
    weights = dict(
        PriorityWeight.objects.filter(fund__isnull=True, factor__in=WEIGHTS).values_list("factor", "weight")
    )
    Unit = apps.get_model("fund_portal", "AdministrativeUnit")
    Child = apps.get_model("children", "Child")
    for flag, factor in (
        ("is_especially_difficult", "commune:especially_difficult"),
        ("is_ethnic_mountainous", "commune:ethnic_mountainous"),
    ):
        communes = Unit.objects.filter(**{flag: True}).values("pk")
        children = Child.objects.filter(commune__in=communes)
        children.update(priority_score=F("priority_score") + weights[factor])
        children.filter(priority_override__isnull=True).update(
            priority_visible=F("priority_visible") + weights[factor]
        )
        children.update(priority=Coalesce("priority_override", "priority_score"))


def unseed(apps, schema_editor):
    apps.get_model("children", "PriorityWeight").objects.filter(
        fund__isnull=True, factor__in=WEIGHTS
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("children", "0015_priority_weights_per_fund"),
        ("fund_portal", "0005_unit_signer_of_papers"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
