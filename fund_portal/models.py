"""The portal's core: administrative units, accounts and their roles.

Who may see what is decided in `fund_portal.scope`, never here.
"""

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .authority import Action
from .fields import optional_link
from .images import CleanImageField
from .scope import ScopedModel, ScopedQuerySet


class UnitLevel(models.TextChoices):
    """Levels of Vietnam's administrative tree, highest first.

    The source documents have province -> district -> commune -> village; since July 2025 there
    is no district level. The tree is data: a unit's parent is any unit of a higher level.
    """

    PROVINCE = "province", _("Province")
    DISTRICT = "district", _("District")
    COMMUNE = "commune", _("Commune")
    VILLAGE = "village", _("Village")

    @classmethod
    def rank(cls, level: str) -> int:
        return list(cls.values).index(level)


class AdministrativeUnitQuerySet(ScopedQuerySet):
    def communes(self):
        return self.filter(level=UnitLevel.COMMUNE)


class AdministrativeUnit(ScopedModel):
    """A province, district, commune or village, placed in the tree by its parent.

    `path` is the chain of codes from the root ("38/397/15703/"), so everything under a unit
    is one indexed prefix query; it is kept by `unit_save` in services.
    """

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)
    level = models.CharField(_("level"), max_length=16, choices=UnitLevel.choices)
    parent = optional_link("self", _("parent unit"), related_name="children")
    path = models.CharField(_("path"), max_length=255, unique=True, editable=False)
    is_especially_difficult = models.BooleanField(
        _("especially difficult commune"),
        default=False,
        help_text=_("A commune of ethnic-minority and mountainous areas listed as especially difficult."),
    )
    is_ethnic_mountainous = models.BooleanField(_("ethnic-minority and mountainous area"), default=False)
    # Who signs the papers issued in the name of the unit's People's Committee (its reports, the gift
    # lists' signing sheets). Until signers are kept per unit and kind of paper, one per unit.
    signer_name = models.CharField(
        _("signer of the committee's papers"),
        max_length=120,
        blank=True,
        help_text=_("Printed under the signature of the People's Committee's papers, e.g. Nguyễn Văn An."),
    )
    signer_title = models.CharField(
        _("signer's position"),
        max_length=60,
        blank=True,
        default="Chủ tịch",
        help_text=_("Chủ tịch, or Phó Chủ tịch (who then signs KT. Chủ tịch)."),
    )

    objects = AdministrativeUnitQuerySet.as_manager()

    scope_lookup = ""  # a unit is scoped by itself

    class Meta:
        verbose_name = _("administrative unit")
        verbose_name_plural = _("administrative units")
        ordering = ["path"]
        indexes = [
            models.Index(fields=["path"], name="unit_path_prefix_idx", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["level", "name"], name="unit_level_name_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(level="province", parent__isnull=True)
                | (~Q(level="province") & Q(parent__isnull=False)),
                name="unit_only_provinces_are_roots",
                violation_error_message=_(
                    "Only a province is at the top of the tree; every other unit has a parent."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("portal:unit_detail", kwargs={"code": self.code})

    def ancestors(self) -> list["AdministrativeUnit"]:
        codes = self.path.strip("/").split("/")[:-1]
        by_code = {u.code: u for u in AdministrativeUnit.objects.filter(code__in=codes)}
        return [by_code[c] for c in codes if c in by_code]


class Role(models.TextChoices):
    """What an account does in the fund; each role but donor and national auditor is bound to one unit."""

    DISTRICT_STAFF = "district_staff", _("Fund staff (province or district)")
    COMMUNE_OFFICER = "commune_officer", _("Commune officer")
    VILLAGE_VOLUNTEER = "village_volunteer", _("Village volunteer")
    AUDITOR = "auditor", _("Auditor (read-only)")
    NATIONAL_AUDITOR = "national_auditor", _("National auditor (read-only, every province)")
    DONOR = "donor", _("Donor")


#: Roles bound to one administrative unit, whose work is scoped to it (`fund_portal.scope`, rule 5).
UNIT_ROLES = (Role.DISTRICT_STAFF, Role.COMMUNE_OFFICER, Role.VILLAGE_VOLUNTEER, Role.AUDITOR)
#: Roles that see every province and are bound to no unit (`fund_portal.scope`, rule 7).
NATIONAL_ROLES = (Role.NATIONAL_AUDITOR,)
#: Roles whose whole work is scoped.
SCOPED_ROLES = UNIT_ROLES + NATIONAL_ROLES
#: Roles that work in the Django admin and so must use two-factor authentication.
ADMIN_ROLES = (Role.DISTRICT_STAFF, Role.AUDITOR, Role.NATIONAL_AUDITOR)
#: Roles that read and never write (`fund_portal.authority.read_only`).
READ_ONLY_ROLES = (Role.AUDITOR, Role.NATIONAL_AUDITOR, Role.DONOR)
#: Roles whose work is the children of a place, not the fund's money, campaigns or reports.
CHILDREN_ONLY_ROLES = (Role.VILLAGE_VOLUNTEER,)


class UserQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """Scope rule 6 does not hold for accounts: an account with no unit is a donor's or a
        superuser's, which no district's staff manage. Only superusers see unit-less accounts."""
        from .scope import sees_everything

        queryset = super().visible_to(user)
        return queryset if sees_everything(user) else queryset.filter(unit__isnull=False)


class ScopedUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(ScopedModel, AbstractUser):
    """An account: fund staff, a commune officer, a village volunteer, an auditor, or a donor."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    unit = optional_link(
        AdministrativeUnit,
        _("unit (scope)"),
        related_name="users",
        help_text=_("The user sees and changes only what lies under this unit."),
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)

    objects = ScopedUserManager()

    scope_lookup = "unit"

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=~Q(role__in=[r.value for r in UNIT_ROLES]) | Q(unit__isnull=False),
                name="user_scoped_role_has_unit",
                violation_error_message=_(
                    "Fund staff, commune officers, village volunteers and auditors must have a unit."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(role__in=[r.value for r in NATIONAL_ROLES]) | Q(unit__isnull=True),
                name="user_national_role_has_no_unit",
                violation_error_message=_("A national auditor sees every province and has no unit."),
            ),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def clean(self):
        super().clean()
        if self.role in CHILDREN_ONLY_ROLES and self.unit_id and self.unit.level != UnitLevel.VILLAGE:
            raise ValidationError({"unit": _("A village volunteer's unit is a village.")})

    def get_full_name(self) -> str:
        """The name as Vietnamese write it, family name first: "Lê Thị Lan" (`last_name` holds the
        family and middle names, `first_name` the given name; Django's own order is given name first)."""
        return f"{self.last_name} {self.first_name}".strip()

    @property
    def works_with_the_fund(self) -> bool:
        """Whether the portal offers the fund's pages (money, campaigns, reports): not to a village
        volunteer, whose work is the children of their village."""
        return self.role not in CHILDREN_ONLY_ROLES

    @property
    def needs_mfa(self) -> bool:
        """Staff who can reach the admin must use TOTP."""
        return self.is_superuser or self.is_staff or self.role in ADMIN_ROLES


class Authority(models.Model):
    """No table: the holder of one permission per `fund_portal.authority.Action`, which role groups hold."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [(action.value, action.label) for action in Action]
        verbose_name = _("authority")
        verbose_name_plural = _("authority")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)


class NewsPostQuerySet(models.QuerySet):
    def published(self):
        from django.utils import timezone

        return self.filter(is_published=True, published_at__lte=timezone.now())


class NewsPost(models.Model):
    """A news post of the fund's web page (tin tức): written and published by district staff in the admin."""

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    summary = models.CharField(
        _("summary"), max_length=300, blank=True, help_text=_("Shown in lists and as the page description.")
    )
    body = models.TextField(_("text"), help_text=_("Plain text; a blank line starts a new paragraph."))
    image = CleanImageField(_("image"), upload_to="news/%Y/", blank=True)
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("campaign"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="news_posts",
        help_text=_("Shown as an update on the campaign's page."),
    )
    unit = optional_link(
        AdministrativeUnit,
        _("unit"),
        related_name="news_posts",
        help_text=_("The news of the funds of this unit and those above it; empty: the main fund's news."),
    )
    published_at = models.DateTimeField(_("published at"))
    is_published = models.BooleanField(_("published"), default=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = NewsPostQuerySet.as_manager()

    class Meta:
        verbose_name = _("news post")
        verbose_name_plural = _("news posts")
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["is_published", "-published_at"], name="newspost_published_idx")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("public:news_detail", kwargs={"slug": self.slug})
