"""The gift list as documents: the signing sheet (danh sách ký nhận) of a commune as PDF, and the list
as XLSX. Both print children's names, so each download is written to the access log."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from children.models import AccessAction
from children.services.registry import access_log
from donations.models import Fund
from donations.selectors.funds import funds_governing
from fund_portal.exports import xlsx_bytes
from fund_portal.money import format_vnd
from fund_portal.money_words import amount_in_words
from fund_portal.pdf import committee_signature, person_name, place_name, render_pdf

from .models import GiftList
from .selectors import gift_list_by_commune


def _log(*, user, gift_list: GiftList, count: int, unit=None, what: str) -> None:
    access_log(
        user=user,
        action=AccessAction.EXPORT,
        count=count,
        unit=unit or gift_list.campaign.unit,
        reason=f"{what}: {gift_list}",
    )


def _number(value: int) -> str:
    """1250000 -> "1.250.000": the sheet's value column is headed "(đồng)"."""
    return f"{int(value or 0):,}".replace(",", ".")


def _source_name(campaign) -> str:
    """The fund the gifts come from: the one that governs the campaign's unit (many funds share a
    deployment), else the deployment's name."""
    fund_id = funds_governing(unit_ids=[campaign.unit_id]).get(campaign.unit_id) if campaign.unit_id else None
    fund = Fund.objects.filter(pk=fund_id).only("name").first() if fund_id else None
    return fund.name if fund is not None else settings.FUND_NAME


def gift_list_signing_sheet(*, gift_list: GiftList, user, commune_id: int | None = None) -> tuple[bytes, str]:
    """The signing sheet PDF of one commune of the list (or of every commune the user may see, one after
    the other), and its file name.

    Each commune's sheet is a paper of its People's Committee, which certifies the handover: its name
    heads the sheet and its chairman (or deputy) signs it; whoever prints the sheet is its preparer."""
    groups = gift_list_by_commune(gift_list=gift_list, user=user)
    if commune_id is not None:
        groups = [g for g in groups if g["commune"].pk == commune_id]
    for group in groups:
        commune = group["commune"]
        group["issuer_name"] = f"Ủy ban nhân dân {commune.name}"
        group["place"] = place_name(commune.name)
        group["signature"] = committee_signature(commune)
        group["total_text"] = _number(group["total"])
        group["total_words"] = amount_in_words(group["total"])
        for entry in group["entries"]:
            entry.value_text = _number(entry.value)
    campaign = gift_list.campaign
    pdf = render_pdf(
        template_name="campaigns/pdf/signing_sheet.html",
        context={
            "gift_list": gift_list,
            "campaign": campaign,
            "event": gift_list.event,
            "groups": groups,
            "fund_name": _source_name(campaign),
            "preparer": person_name(user),
            "doc_date": timezone.localdate(),
            "title": "Danh sách ký nhận",
        },
    )
    count = sum(len(g["entries"]) for g in groups)
    unit = groups[0]["commune"] if len(groups) == 1 else None
    _log(user=user, gift_list=gift_list, count=count, unit=unit, what="Danh sách ký nhận")
    commune_name = groups[0]["commune"].name if len(groups) == 1 else ""
    name = " ".join(part for part in ("Danh sách ký nhận", campaign.name, commune_name) if part)
    return pdf, f"{name}.pdf"


def gift_list_xlsx(*, gift_list: GiftList, user) -> tuple[bytes, str]:
    """The whole list (the communes the user may see) as a spreadsheet."""
    groups = gift_list_by_commune(gift_list=gift_list, user=user)
    headers = [
        _("No."),
        _("Commune"),
        _("Child"),
        _("Date of birth"),
        _("Village"),
        _("Guardian"),
        _("Value (đồng)"),
        _("Handover"),
    ]
    rows = []
    for group in groups:
        for entry in group["entries"]:
            child = entry.child
            if child.data_restricted:  # consent withdrawn: out of every export (the signing sheet stays)
                continue
            if entry.support_id:
                state = _("Handed over on %(date)s") % {"date": f"{entry.support.delivered_on:%d/%m/%Y}"}
            elif entry.absent:
                state = _("Absent")
            else:
                state = _("Waiting")
            rows.append(
                [
                    entry.number,
                    group["commune"].name,
                    child.full_name,
                    f"{child.birth_date:%d/%m/%Y}",
                    child.village.name if child.village_id else "",
                    child.guardian_name,
                    entry.value,
                    state,
                ]
            )
    campaign = gift_list.campaign
    heading = [
        f"{campaign.name} · {campaign.unit.name}",
        _("Gift list: %(kind)s, %(value)s đồng per child")
        % {
            "kind": gift_list.get_kind_display(),
            "value": format_vnd(gift_list.value_per_child, symbol=False),
        },
        _("Amounts in đồng"),
    ]
    data = xlsx_bytes(title=_("Gift list"), headers=headers, rows=rows, heading=heading)
    _log(user=user, gift_list=gift_list, count=len(rows), what="XLSX")
    return data, f"danh-sach-qua-{gift_list.campaign.slug}-{gift_list.pk}.xlsx"
