"""Goods a fund holds, and their movements in and out."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fund_portal.fields import optional_link
from fund_portal.scope import ScopedModel

from .disbursements import Disbursement
from .donations import Donation
from .funds import Fund


class StockItem(ScopedModel):
    """Goods a fund holds (notebooks, warm jackets, milk...), counted in one unit of measure."""

    fund = models.ForeignKey(
        Fund, verbose_name=_("fund"), on_delete=models.PROTECT, related_name="stock_items"
    )
    name = models.CharField(_("goods"), max_length=200)
    unit_of_measure = models.CharField(_("unit of measure"), max_length=30)
    quantity = models.IntegerField(
        _("in stock"),
        default=0,
        editable=False,
        help_text=_("Kept by the stock movements, under a row lock."),
    )

    scope_lookup = "fund__unit"

    class Meta:
        verbose_name = _("goods in stock")
        verbose_name_plural = _("goods in stock")
        constraints = [
            models.UniqueConstraint(fields=["fund", "name", "unit_of_measure"], name="stock_item_unique"),
            models.CheckConstraint(
                condition=Q(quantity__gte=0),
                name="stock_never_negative",
                violation_error_message=_("Stock cannot go below zero."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.unit_of_measure})"


class StockMovement(models.Model):
    """Goods received into or issued out of stock; the item's quantity is the sum of its movements."""

    item = models.ForeignKey(
        StockItem, verbose_name=_("goods in stock"), on_delete=models.PROTECT, related_name="movements"
    )
    quantity = models.IntegerField(_("quantity (+ in, − out)"))
    moved_on = models.DateField(_("date"))
    donation = optional_link(Donation, _("donation"), related_name="+")
    disbursement = optional_link(Disbursement, _("disbursement"), related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        constraints = [models.CheckConstraint(condition=~Q(quantity=0), name="stock_movement_not_zero")]

    def __str__(self) -> str:
        return f"{self.item}: {self.quantity:+d}"
