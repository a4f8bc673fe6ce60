"""Goods into and out of a fund's stock, under the stock item's row lock; stock never goes negative."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ..models import Disbursement, Donation, Fund, StockItem, StockMovement


def stock_receive(
    *,
    fund: Fund,
    name: str,
    unit_of_measure: str,
    quantity: int,
    on: dt.date,
    donation: Donation | None = None,
) -> StockItem:
    """Goods come into a fund's stock."""
    StockItem.objects.bulk_create(
        [StockItem(fund=fund, name=name, unit_of_measure=unit_of_measure)], ignore_conflicts=True
    )
    item = StockItem.objects.select_for_update().get(fund=fund, name=name, unit_of_measure=unit_of_measure)
    StockMovement.objects.create(item=item, quantity=quantity, moved_on=on, donation=donation)
    item.quantity += quantity
    item.save(update_fields=["quantity"])
    return item


def stock_receive_donation(*, donation: Donation) -> StockItem:
    """A posted donation of goods comes into its fund's stock, on the day it was received."""
    return stock_receive(
        fund=donation.fund,
        name=donation.goods_description,
        unit_of_measure=donation.goods_unit or "-",
        quantity=donation.goods_quantity,
        on=donation.received_on,
        donation=donation,
    )


def stock_issue(
    *,
    item: StockItem,
    quantity: int,
    on: dt.date,
    disbursement: Disbursement | None = None,
    donation: Donation | None = None,
) -> StockItem:
    """Goods go out of stock; never more than there is."""
    item = StockItem.objects.select_for_update().get(pk=item.pk)
    if quantity > item.quantity:
        raise ValidationError(
            _("Only %(have)s %(unit)s of %(name)s are in stock; %(want)s were asked for.")
            % {"have": item.quantity, "unit": item.unit_of_measure, "name": item.name, "want": quantity},
            code="stock_short",
        )
    StockMovement.objects.create(
        item=item, quantity=-quantity, moved_on=on, disbursement=disbursement, donation=donation
    )
    item.quantity -= quantity
    item.save(update_fields=["quantity"])
    return item
