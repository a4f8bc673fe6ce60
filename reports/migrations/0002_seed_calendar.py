"""The default reporting calendar (item 12 of the source document): communes report before 20/5 and
15/11, the district consolidates and reports to the province a few days later. Staff edit it in the admin."""

from django.db import migrations

KINDS = [
    {
        "code": "xa-so-ket-6-thang",
        "name": "Báo cáo sơ kết 6 tháng công tác bảo vệ, chăm sóc trẻ em",
        "cadence": "semiannual",
        "submitter_level": "commune",
        "recipient": "Phòng Lao động - Thương binh và Xã hội huyện",
        "start_month": 1, "start_day": 1, "end_month": 5, "end_day": 15, "due_month": 5, "due_day": 20,
    },
    {
        "code": "xa-bao-cao-nam",
        "name": "Báo cáo năm công tác bảo vệ, chăm sóc trẻ em",
        "cadence": "annual",
        "submitter_level": "commune",
        "recipient": "Phòng Lao động - Thương binh và Xã hội huyện",
        "start_month": 1, "start_day": 1, "end_month": 11, "end_day": 10, "due_month": 11, "due_day": 15,
    },
    {
        "code": "huyen-so-ket-6-thang",
        "name": "Báo cáo sơ kết 6 tháng công tác bảo vệ, chăm sóc trẻ em (tổng hợp toàn huyện)",
        "cadence": "semiannual",
        "submitter_level": "district",
        "recipient": "Sở Lao động - Thương binh và Xã hội tỉnh",
        "start_month": 1, "start_day": 1, "end_month": 5, "end_day": 15, "due_month": 5, "due_day": 25,
    },
    {
        "code": "huyen-bao-cao-nam",
        "name": "Báo cáo năm công tác bảo vệ, chăm sóc trẻ em (tổng hợp toàn huyện)",
        "cadence": "annual",
        "submitter_level": "district",
        "recipient": "Sở Lao động - Thương binh và Xã hội tỉnh",
        "start_month": 1, "start_day": 1, "end_month": 11, "end_day": 10, "due_month": 11, "due_day": 20,
    },
]


def seed(apps, schema_editor):
    ReportKind = apps.get_model("reports", "ReportKind")
    for row in KINDS:
        ReportKind.objects.get_or_create(code=row["code"], defaults={**row, "draft_lead_days": 7})


def unseed(apps, schema_editor):
    apps.get_model("reports", "ReportKind").objects.filter(code__in=[k["code"] for k in KINDS]).delete()


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
