"""The small demo data set: Triệu Sơn district of Thanh Hóa, a few communes, their villages and logins
(district staff and auditor, an officer per commune, a village volunteer in Dân Lý, a donor).

Idempotent: running it again finds what is there and creates nothing twice. The core loads the units
and the logins; then each app adds its own records (`settings.DEMO_SEEDERS`: the funds and donations,
the campaigns and news, the children), so the core imports no domain app.
"""

from __future__ import annotations

from dataclasses import dataclass

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from allauth.mfa.utils import decrypt
from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

from .models import AdministrativeUnit, Role, UnitLevel, User
from .services import DATA_DIR, units_load, units_load_file, user_set_role

#: Used only by `seed_demo` on a development machine; README.md lists it with the logins.
DEMO_PASSWORD = "demo-quy-2026"

DISTRICT_CODE = "397"  # Huyện Triệu Sơn
#: Demo communes: code -> (login, especially difficult, ethnic-minority and mountainous).
DEMO_COMMUNES = {
    "15703": ("canbo.danly", False, False),  # Xã Dân Lý
    "15682": ("canbo.hopthanh", False, False),  # Xã Hợp Thành
    "15670": ("canbo.thobinh", True, True),  # Xã Thọ Bình
    "15769": ("canbo.binhson", True, True),  # Xã Bình Sơn
    "15664": ("canbo.thitran", False, False),  # Thị trấn Triệu Sơn
}
VILLAGES_PER_COMMUNE = 4


@dataclass
class DemoLogin:
    username: str
    role: str
    unit: str
    totp_secret: str | None = None


DEMO_SIGNERS = ["Nguyễn Văn Bình", "Trần Thị Hoa", "Lê Đình Sơn", "Phạm Văn Toàn"]


def demo_units() -> None:
    units_load_file(path=DATA_DIR / "units_38_legacy.json")
    communes = {u.code: u for u in AdministrativeUnit.objects.filter(code__in=DEMO_COMMUNES)}
    rows = []
    for code, (_login, difficult, mountainous) in DEMO_COMMUNES.items():
        commune = communes[code]
        rows.append(
            {
                "code": code,
                "name": commune.name,
                "level": UnitLevel.COMMUNE,
                "parent": DISTRICT_CODE,
                "is_especially_difficult": difficult,
                "is_ethnic_mountainous": mountainous,
            }
        )
        # Villages have no official code; the demo gives them the commune's code and a number.
        rows += [
            {"code": f"{code}-{n:02d}", "name": f"Thôn {n}", "level": UnitLevel.VILLAGE, "parent": code}
            for n in range(1, VILLAGES_PER_COMMUNE + 1)
        ]
    units_load(rows=rows)
    # Who signs the committees' papers (reports, signing sheets): made-up names, as every demo name.
    AdministrativeUnit.objects.filter(code=DISTRICT_CODE).update(signer_name="Lê Văn Hùng")
    for index, code in enumerate(DEMO_COMMUNES):
        AdministrativeUnit.objects.filter(code=code).update(
            signer_name=DEMO_SIGNERS[index % len(DEMO_SIGNERS)],
            signer_title="Phó Chủ tịch" if index % 3 == 2 else "Chủ tịch",
        )


def _demo_user(username: str, *, role: str, unit: AdministrativeUnit | None, **fields) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, **fields)
        user.set_password(DEMO_PASSWORD)
    return user_set_role(user=user, role=role, unit=unit)


def _totp_secret(user: User) -> str:
    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if authenticator:
        return decrypt(authenticator.data["secret"])
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


#: The district's staff logins: username, role and name (family name first); both use two-factor.
DISTRICT_LOGINS = [
    ("canbo.huyen", Role.DISTRICT_STAFF, "Lan", "Lê Thị", "canbo.huyen@example.org"),
    ("kiemtra.huyen", Role.AUDITOR, "Minh", "Phạm Văn", ""),
]


#: The province's fund staff (Thanh Hóa): they accept the district's report and build the province's.
PROVINCE_LOGINS = [("canbo.tinh", Role.DISTRICT_STAFF, "Hà", "Trịnh Thu", "canbo.tinh@example.org")]
PROVINCE_CODE = "38"


#: The village volunteers (cộng tác viên): username, village, name (family name first).
VOLUNTEER_LOGINS = [("congtacvien.danly", "15703-01", "Hương", "Đỗ Thị")]


def demo_users() -> list[DemoLogin]:
    district = AdministrativeUnit.objects.get(code=DISTRICT_CODE)
    logins = []
    for username, role, first_name, last_name, email in DISTRICT_LOGINS:
        user = _demo_user(
            username, role=role, unit=district, first_name=first_name, last_name=last_name, email=email
        )
        logins.append(DemoLogin(user.username, user.get_role_display(), district.name, _totp_secret(user)))
    province = AdministrativeUnit.objects.get(code=PROVINCE_CODE)
    for username, role, first_name, last_name, email in PROVINCE_LOGINS:
        user = _demo_user(
            username, role=role, unit=province, first_name=first_name, last_name=last_name, email=email
        )
        logins.append(DemoLogin(user.username, user.get_role_display(), province.name, _totp_secret(user)))
    for code, (login, *_flags) in DEMO_COMMUNES.items():
        commune = AdministrativeUnit.objects.get(code=code)
        officer = _demo_user(
            login, role=Role.COMMUNE_OFFICER, unit=commune, first_name=commune.name, last_name="Cán bộ"
        )
        logins.append(DemoLogin(officer.username, officer.get_role_display(), commune.name))
    for login, village_code, first_name, last_name in VOLUNTEER_LOGINS:
        village = AdministrativeUnit.objects.get(code=village_code)
        volunteer = _demo_user(
            login, role=Role.VILLAGE_VOLUNTEER, unit=village, first_name=first_name, last_name=last_name
        )
        place = f"{village.name}, {AdministrativeUnit.objects.get(pk=village.parent_id).name}"
        logins.append(DemoLogin(volunteer.username, volunteer.get_role_display(), place))
    donor = _demo_user(
        "nhahaotam",
        role=Role.DONOR,
        unit=None,
        first_name="Hà",
        last_name="Nguyễn Thu",
        email="nhahaotam@example.org",
    )
    logins.append(DemoLogin(donor.username, donor.get_role_display(), "—"))
    return logins


def seed_demo() -> list[DemoLogin]:
    """The whole small demo: units, logins, then each app's records in `settings.DEMO_SEEDERS` order."""
    with transaction.atomic():
        demo_units()
        logins = demo_users()
        for path in settings.DEMO_SEEDERS:
            import_string(path)()
        return logins
