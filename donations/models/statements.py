"""Bank statements imported for a fund's accounts, and their incoming transfers."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fund_portal.fields import account_field, optional_link
from fund_portal.scope import ScopedModel

from .donations import Donation
from .funds import BankAccount


class BankStatement(ScopedModel):
    """A bank statement imported for one of a fund's accounts."""

    bank_account = models.ForeignKey(
        BankAccount, verbose_name=_("bank account"), on_delete=models.PROTECT, related_name="statements"
    )
    file_name = models.CharField(_("file"), max_length=255)
    imported_by = account_field(_("imported by"), null=True)
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    new_lines = models.PositiveIntegerField(_("new lines"), default=0)
    matched_lines = models.PositiveIntegerField(_("matched and posted"), default=0)
    known_lines = models.PositiveIntegerField(_("already on record"), default=0)

    scope_lookup = "bank_account__fund__unit"

    class Meta:
        verbose_name = _("bank statement")
        verbose_name_plural = _("bank statements")
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.imported_at:%d/%m/%Y})"


class StatementLineStatus(models.TextChoices):
    MATCHED = "matched", _("Matched and posted")
    UNMATCHED = "unmatched", _("Waiting for a match")
    POSTED_NEW = "posted_new", _("Posted as a new donation")
    IGNORED = "ignored", _("Not a donation")


class StatementLineSource(models.TextChoices):
    STATEMENT = "statement", _("Bank statement")
    FEED = "feed", _("Bank feed")


class BankStatementLine(ScopedModel):
    """One incoming transfer on a statement; the same transfer in a later statement is recognised and skipped.

    A transfer is the bank's transaction number (`bank_ref`, stored upper case without spaces) when the
    statement gives one: a re-export of the statement may respace or recase the description, never the
    number. A statement without numbers keeps the older identity, `line_key` (date, amount, description).
    """

    #: The statement it came in; none for a transfer the bank feed announced (`source`).
    statement = optional_link(BankStatement, _("bank statement"), related_name="lines")
    source = models.CharField(
        _("came by"),
        max_length=10,
        choices=StatementLineSource.choices,
        default=StatementLineSource.STATEMENT,
    )
    bank_account = models.ForeignKey(
        BankAccount, verbose_name=_("bank account"), on_delete=models.PROTECT, related_name="+"
    )
    line_key = models.CharField(_("line key"), max_length=64, editable=False)
    booked_on = models.DateField(_("date"))
    amount = models.BigIntegerField(_("amount (đồng)"))
    description = models.CharField(_("transfer description"), max_length=500)
    bank_ref = models.CharField(_("bank's transaction number"), max_length=64, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=StatementLineStatus.choices, default=StatementLineStatus.UNMATCHED
    )
    donation = models.OneToOneField(
        Donation,
        verbose_name=_("donation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="statement_line",
    )
    #: The pending donation whose reference the description quotes when the amounts differ: shown
    #: beside the line, for staff to post at the amount received.
    candidate = optional_link(Donation, _("donation quoted"), related_name="+")
    note = models.CharField(_("note"), max_length=255, blank=True)

    scope_lookup = "bank_account__fund__unit"

    class Meta:
        verbose_name = _("bank statement line")
        verbose_name_plural = _("bank statement lines")
        ordering = ["-booked_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["bank_account", "line_key"], name="statement_line_once"),
            models.UniqueConstraint(
                fields=["bank_account", "bank_ref"],
                condition=~Q(bank_ref=""),
                name="statement_line_bank_ref_once",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="statement_line_incoming"),
        ]

    def __str__(self) -> str:
        return f"{self.booked_on:%d/%m/%Y} {self.amount:,} {self.description[:40]}".replace(",", ".")


class StatementLayoutMapping(ScopedModel):
    """How staff said to read a statement whose layout no bank's layout names: used again for that account.

    `header` is the table's header row as the file wrote it (folded), found again in the next file by
    it; `columns` names, for each field (booked_on, credit, debit, amount, description, bank_ref), the
    position of its column in that row.
    """

    bank_account = models.OneToOneField(
        BankAccount, verbose_name=_("bank account"), on_delete=models.CASCADE, related_name="layout_mapping"
    )
    header = models.JSONField(_("header row"), default=list)
    columns = models.JSONField(_("columns"), default=dict)
    saved_by = account_field(_("saved by"), null=True)
    saved_at = models.DateTimeField(_("saved at"), auto_now=True)

    scope_lookup = "bank_account__fund__unit"

    class Meta:
        verbose_name = _("statement layout of an account")
        verbose_name_plural = _("statement layouts of accounts")

    def __str__(self) -> str:
        return str(self.bank_account)


class FeedOutcome(models.TextChoices):
    POSTED = "posted", _("Matched and posted")
    WAITING = "waiting", _("Waiting for a match")
    KNOWN = "known", _("Already on record")
    OUTGOING = "outgoing", _("Money out: not a donation")


class BankFeedDelivery(ScopedModel):
    """One transaction the bank feed announced (a SePay-style webhook), as it came, and what was done.

    Kept for staff: the body as received and the outcome. The provider's transaction id is unique: the
    same transaction sent again finds its delivery and changes nothing.
    """

    provider = models.CharField(_("provider"), max_length=20)
    transaction_id = models.CharField(_("provider's transaction id"), max_length=64)
    bank_account = models.ForeignKey(
        BankAccount, verbose_name=_("bank account"), on_delete=models.PROTECT, related_name="feed_deliveries"
    )
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    transaction_at = models.DateTimeField(_("transaction time"))
    incoming = models.BooleanField(_("money in"))
    amount = models.BigIntegerField(_("amount (đồng)"))
    content = models.CharField(_("transfer description"), max_length=500, blank=True)
    bank_ref = models.CharField(_("bank's transaction number"), max_length=64, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=FeedOutcome.choices)
    line = optional_link(BankStatementLine, _("bank transaction"), related_name="feed_deliveries")
    body = models.JSONField(_("body received"))

    scope_lookup = "bank_account__fund__unit"

    class Meta:
        verbose_name = _("bank feed delivery")
        verbose_name_plural = _("bank feed deliveries")
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "transaction_id"], name="feed_delivery_once"),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.transaction_id}"
