"""Model fields that every app declares the same way."""

from django.conf import settings
from django.db import models


def account_field(verbose_name, *, key_checked: bool = True, **options) -> models.ForeignKey:
    """The account that did something to a record (created, recorded, checked it): the account cannot
    be deleted while a record names it, and an account has no reverse accessor to every such record.

    `key_checked=False`: no foreign-key constraint in the database, for the tables an import loads by
    the hundred thousand rows (donations, ledger entries), where checking the one account an import
    names cost a look-up of it per row at commit (about 1 s of a 100,000-row import, for three such
    columns). The account is still never deleted while a record names it: Django's PROTECT refuses it,
    and a trigger on the accounts' table, installed by the app whose records name it, refuses a DELETE
    (or a change of id) made outside Django (donations: `donations.ledger_sql.POSTGRESQL_ACCOUNT_NAMED`).
    The column keeps its index, which that refusal reads.

    `options` are the ForeignKey's others (`null`, `blank`, `editable`, `db_index`)."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=key_checked,
        **options,
    )


def optional_link(to, verbose_name, **options) -> models.ForeignKey:
    """A link a record may have or not (NULL in the database, empty in forms); the record linked to
    cannot be deleted while a record links to it: the fund's records are kept, never cascaded away.

    `options` are the ForeignKey's others (`related_name`, `help_text`, `db_index`, `editable`)."""
    return models.ForeignKey(
        to,
        verbose_name=verbose_name,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        **options,
    )
