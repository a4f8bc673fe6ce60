"""Reads of children's transfers between communes: the requests waiting for a commune, those it sent,
a child's moves, and the likely duplicates of a child in the receiving commune's province.

A commune that receives a request does not see the child yet (scope follows the child's commune): it
reads the request's card only (name, year of birth, where from, why), never the record."""

from __future__ import annotations

from dataclasses import dataclass

from fund_portal.models import AdministrativeUnit
from fund_portal.scope import units_in_reach

from ..models import Child, ChildTransfer
from .duplicates import PROVINCE, child_duplicates


def _transfers(user):
    return ChildTransfer.objects.visible_to(user).select_related(
        "child", "from_commune", "to_commune", "to_village", "requested_by", "decided_by"
    )


def transfers_incoming(*, user) -> list[ChildTransfer]:
    """The open requests addressed to a commune in the user's scope, oldest first."""
    units = AdministrativeUnit.objects.visible_to(user).values("pk")
    return list(_transfers(user).open().filter(to_commune__in=units).order_by("requested_at", "id"))


def transfers_outgoing(*, user) -> list[ChildTransfer]:
    """The open requests sent from a commune in the user's scope, oldest first."""
    units = AdministrativeUnit.objects.visible_to(user).values("pk")
    return list(_transfers(user).open().filter(from_commune__in=units).order_by("requested_at", "id"))


def transfers_decided(*, user, limit: int = 20) -> list[ChildTransfer]:
    """The latest decided (accepted, refused, cancelled) transfers of the user's communes."""
    return list(_transfers(user).exclude(status="requested").order_by("-decided_at", "-id")[:limit])


def child_transfers(*, child: Child) -> list[ChildTransfer]:
    """A child's transfers, newest first: the moves of its history (shown on its page)."""
    return list(
        child.transfers.select_related("from_commune", "to_commune", "requested_by", "decided_by").order_by(
            "-requested_at", "-id"
        )
    )


def transfer_addressed_to(*, transfer: ChildTransfer, user) -> bool:
    """Whether the user's scope holds the receiving commune (they may accept or refuse)."""
    return units_in_reach(user, transfer.to_commune_id)


def transfer_sent_by(*, transfer: ChildTransfer, user) -> bool:
    """Whether the user's scope holds the sending commune (they may cancel)."""
    return units_in_reach(user, transfer.from_commune_id)


@dataclass
class TransferDuplicates:
    """The likely duplicates of a moving child in the receiving commune's province: those the user may
    open, and how many others there are (outside the user's scope: counted, never named)."""

    shown: list[Child]
    elsewhere: list[Child]

    def __bool__(self) -> bool:
        return bool(self.shown or self.elsewhere)


def transfer_duplicates(*, child: Child, to_commune: AdministrativeUnit, user) -> TransferDuplicates:
    """The children already registered in `to_commune`'s province who are likely `child` (itself left
    out), split by what `user` may open."""
    found = child_duplicates(
        full_name=child.full_name,
        birth_date=child.birth_date,
        personal_id=child.personal_id,
        commune=to_commune,
        exclude_pk=child.pk,
        area=PROVINCE,
    )
    visible = set(
        Child.objects.visible_to(user).filter(pk__in=[c.pk for c in found]).values_list("pk", flat=True)
    )
    return TransferDuplicates(
        shown=[c for c in found if c.pk in visible], elsewhere=[c for c in found if c.pk not in visible]
    )


def transfer_commune_choices(*, child: Child):
    """The communes a child may be moved to from the form's list: the other communes of its province
    (a commune of another province is given by its code)."""
    province_path = child.commune.path.split("/", 1)[0] + "/"
    return (
        AdministrativeUnit.objects.communes()
        .filter(path__startswith=province_path)
        .exclude(pk=child.commune_id)
        .order_by("name", "code")
    )


def child_transfers_context(*, child: Child) -> dict:
    """A child's page: its moves (history) and its open request, if any."""
    transfers = child_transfers(child=child)
    return {
        "transfers": transfers,
        "open_transfer": next((t for t in transfers if t.status == "requested"), None),
    }
