import factory
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from fund_portal.models import AdministrativeUnit, Role, UnitLevel, User
from fund_portal.services import unit_save, user_set_role

TEST_PASSWORD = "a-long-test-password-1"


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AdministrativeUnit

    code = factory.Sequence(lambda n: f"T{n:05d}")
    name = factory.Sequence(lambda n: f"Xã Thử {n}")
    level = UnitLevel.COMMUNE
    parent = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return unit_save(unit=model_class(*args, **kwargs))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password(TEST_PASSWORD)

    @classmethod
    def _create(cls, model_class, *args, role="", unit=None, **kwargs):
        user = model_class(*args, **kwargs)
        user.save()
        if role:
            user = user_set_role(user=user, role=role, unit=unit)
        return user


def officer(unit, **kwargs) -> User:
    return UserFactory(role=Role.COMMUNE_OFFICER, unit=unit, **kwargs)


def volunteer(village, **kwargs) -> User:
    return UserFactory(role=Role.VILLAGE_VOLUNTEER, unit=village, **kwargs)


def national_auditor(*, with_totp=True, **kwargs) -> User:
    user = UserFactory(role=Role.NATIONAL_AUDITOR, unit=None, **kwargs)
    if with_totp:
        give_totp(user)
    return user


def staff(unit, *, with_totp=True, **kwargs) -> User:
    user = UserFactory(role=Role.DISTRICT_STAFF, unit=unit, **kwargs)
    if with_totp:
        give_totp(user)
    return user


def give_totp(user) -> str:
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    assert Authenticator.objects.filter(user=user).exists()
    return secret


class FundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "donations.Fund"

    name = factory.Sequence(lambda n: f"Quỹ Bảo trợ trẻ em {n}")
    code = factory.Sequence(lambda n: f"quy-{n}")
    unit = factory.SubFactory(UnitFactory, level=UnitLevel.PROVINCE)


class DonorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "donations.Donor"

    name = factory.Sequence(lambda n: f"Nguyễn Văn Hảo {n}")
    unit = factory.SubFactory(UnitFactory, level=UnitLevel.PROVINCE)


class _DonorSave:
    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from donations.services.donors import donor_save

        return donor_save(donor=model_class(*args, **kwargs))


DonorFactory._create = _DonorSave._create


def report_calendar_seed() -> None:
    """The reporting calendar comes from data migrations; a transactional test's flush empties it. The
    kinds of 0002 are made as 0004 leaves them (each names who consolidates it), then 0004 adds its own."""
    import importlib

    from django.apps import apps

    from reports.models import ReportKind

    first = importlib.import_module("reports.migrations.0002_seed_calendar")
    second = importlib.import_module("reports.migrations.0004_kinds_any_level")
    for row in first.KINDS:
        consolidator = "district" if row["submitter_level"] == "commune" else "province"
        recipient = second.OLD_RECIPIENTS.get(row["recipient"], row["recipient"])
        ReportKind.objects.get_or_create(
            code=row["code"],
            defaults={
                **row,
                "recipient": recipient,
                "consolidator_level": consolidator,
                "draft_lead_days": 7,
            },
        )
    second.forward(apps, None)


def register_child(by, commune, name: str, *, born=None, **fields):
    """A child registered through the service, as the portal's form would (a fixed date of birth)."""
    import datetime as dt

    from children.services.registry import child_register

    return child_register(
        by=by,
        full_name=name,
        birth_date=born or dt.date(2017, 9, 5),
        sex="male",
        ethnicity="01",
        commune=commune,
        confirm_not_duplicate=True,
        **fields,
    )


def children_bulk(communes: list, count: int, names: list[str], *, offset: int = 0, **fields_by_n) -> list:
    """`count` children written at once (no service: lists and paginators need many rows fast), the
    n-th in communes[n % len] named names[n % len], born within a week of 1 January 2012, sex alternating;
    each keyword is a function of n giving that field (status=lambda n: ...)."""
    import datetime as dt

    from children.models import Child
    from fund_portal.text import fold

    rows = []
    for n in range(offset, offset + count):
        name = names[n % len(names)]
        extra = {field: value(n) for field, value in fields_by_n.items()}
        rows.append(
            Child(
                full_name=name,
                name_folded=fold(name),
                birth_date=dt.date(2012, 1, 1) + dt.timedelta(days=n % 7),
                sex="female" if n % 2 else "male",
                commune=communes[n % len(communes)],
                **extra,
            )
        )
    return Child.objects.bulk_create(rows)
