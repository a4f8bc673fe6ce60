"""Choices and abstract bases that the fund's sub-domains share: where money comes from, what it
may be spent on (its restriction), money or goods, and who edited a record last.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fund_portal.fields import account_field, optional_link


class SourceCategory(models.TextChoices):
    """Where money comes from, in the categories of the source documents."""

    CHILD_FUND = "child_fund", _("Donations to the Child Protection Fund")
    POOR_FUND = "poor_fund", _("Fund for the Poor")
    STATE_BUDGET = "state_budget", _("State budget")
    OTHER = "other", _("Other lawful sources")


class NeedArea(models.TextChoices):
    """Areas of support: the three of Decision 588/QĐ-TTg, then the others the fund meets."""

    NUTRITION_HEALTH = "nutrition_health", _("Nutrition and health care")
    PLAY = "play", _("Play and recreation")
    WARM_CLOTHES = "warm_clothes", _("Warm clothes")
    EDUCATION = "education", _("Education")
    SOCIAL_ASSISTANCE = "social_assistance", _("Social assistance")
    LEGAL_AID = "legal_aid", _("Legal aid")
    COUNSELLING = "counselling", _("Counselling")


class RestrictionKind(models.TextChoices):
    """What restricted money may be spent on; unrestricted money serves any purpose of the fund."""

    NONE = "none", _("Unrestricted")
    CAMPAIGN = "campaign", _("A campaign")
    COMMUNE = "commune", _("A commune")
    NEED_AREA = "need_area", _("A need area")
    SPONSORSHIP = "sponsorship", _("A child's sponsorship")


class Medium(models.TextChoices):
    CASH = "cash", _("Money")
    GOODS = "goods", _("Goods")


def amount_positive_constraint(name: str) -> models.CheckConstraint:
    """The rule of every sum of money a person enters (a donation, a pledge, a disbursement): whole đồng
    above 0, refused by the database with the same message wherever it comes from."""
    return models.CheckConstraint(
        condition=Q(amount__gt=0),
        name=name,
        violation_error_message=_("The amount must be more than 0 đồng."),
    )


class Edited(models.Model):
    """A record changed after it was entered, through its service: whoever changed it last, and when.
    An edit re-makes a proposal, so its editor may not decide on it either (maker-checker; for a
    disbursement also `disbursement_no_approval_by_editor`, and every earlier editor in `edits`)."""

    edited_by = account_field(_("last edited by"), null=True, blank=True, editable=False)
    edited_at = models.DateTimeField(_("last edited at"), null=True, blank=True, editable=False)

    class Meta:
        abstract = True


class Restricted(models.Model):
    """The restriction of a sum of money; spending draws only on money with the same restriction."""

    restriction = models.CharField(
        _("restriction"), max_length=16, choices=RestrictionKind.choices, default=RestrictionKind.NONE
    )
    restriction_campaign = optional_link(
        "campaigns.Campaign",
        _("restricted to campaign"),
        related_name="+",
        db_index=False,  # restriction_indexes(): nearly every row has none
    )
    restriction_unit = optional_link(
        "fund_portal.AdministrativeUnit",
        _("restricted to commune"),
        related_name="+",
        db_index=False,  # restriction_indexes()
    )
    restriction_need = models.CharField(
        _("restricted to need area"), max_length=24, choices=NeedArea.choices, blank=True
    )
    #: The sponsored child (an id until the registry of children lands; then a foreign key).
    restriction_child_id = models.BigIntegerField(_("restricted to child (id)"), null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def restriction_key(self) -> tuple:
        """The restriction as a comparable value: money with equal keys is one pool."""
        return (
            self.restriction,
            self.restriction_campaign_id,
            self.restriction_unit_id,
            self.restriction_need,
            self.restriction_child_id,
        )

    @classmethod
    def restriction_fields(cls) -> list[str]:
        return [
            "restriction",
            "restriction_campaign",
            "restriction_unit",
            "restriction_need",
            "restriction_child_id",
        ]

    @staticmethod
    def restriction_indexes(prefix: str) -> list[models.Index]:
        """Indexes of the restriction's foreign keys over the rows that have one: nearly all rows have
        none, and a full index would still take an entry for each of them on every insert (a 100,000-row
        import into a table of 5,000,000 paid for them)."""
        return [
            models.Index(
                fields=[f"restriction_{target}"],
                condition=Q(**{f"restriction_{target}__isnull": False}),
                name=f"{prefix}_r_{target}_idx",
            )
            for target in ("campaign", "unit")
        ]

    @staticmethod
    def restriction_constraint(name: str) -> models.CheckConstraint:
        none = Q(
            restriction_campaign__isnull=True,
            restriction_unit__isnull=True,
            restriction_need="",
            restriction_child_id__isnull=True,
        )
        return models.CheckConstraint(
            condition=(
                (Q(restriction=RestrictionKind.NONE) & none)
                | (
                    Q(
                        restriction=RestrictionKind.CAMPAIGN,
                        restriction_campaign__isnull=False,
                        restriction_unit__isnull=True,
                        restriction_need="",
                        restriction_child_id__isnull=True,
                    )
                )
                | (
                    Q(
                        restriction=RestrictionKind.COMMUNE,
                        restriction_unit__isnull=False,
                        restriction_campaign__isnull=True,
                        restriction_need="",
                        restriction_child_id__isnull=True,
                    )
                )
                | (
                    Q(
                        restriction=RestrictionKind.NEED_AREA,
                        restriction_campaign__isnull=True,
                        restriction_unit__isnull=True,
                        restriction_child_id__isnull=True,
                    )
                    & ~Q(restriction_need="")
                )
                | (
                    Q(
                        restriction=RestrictionKind.SPONSORSHIP,
                        restriction_child_id__isnull=False,
                        restriction_campaign__isnull=True,
                        restriction_unit__isnull=True,
                        restriction_need="",
                    )
                )
            ),
            name=name,
            violation_error_message=_("The restriction does not match what it is restricted to."),
        )


def restriction_values(source: Restricted) -> dict:
    """The restriction of a sum of money as field values: a ledger entry takes its source's restriction."""
    return {field: getattr(source, field) for field in Restricted.restriction_fields()}
