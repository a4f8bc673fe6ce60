"""Finding children registered twice (tránh chồng chéo, trùng lặp), and merging two records into one.

Two records are likely the same child when any of these holds (merged records never count):

1. The same personal identification number (anywhere in the country).
2. The same district, the same folded name (diacritics and case removed: "Nguyễn Văn An" is
   "nguyen van an") and the same date of birth.
3. The same district and date of birth, and folded names that look like a typo of each other
   (`names_close`): at most 2 edits in all — a letter inserted, deleted, replaced, or two
   neighbouring letters swapped (Damerau's "optimal string alignment" distance), counted separately
   on the family and middle names and on the given name (the last word) — of which at most 1 in the
   given name. "nguyen van an" / "nguyen van anh" match; "nguyen thi lan" / "nguyen thi linh" do
   not: in a Vietnamese name, two letters of the given name make another name. (A space typed or
   dropped inside the given name is not caught.)
4. The same district and folded name, and dates of birth that look like a typo of each other
   (`dates_close`): at most 3 days apart; or the same year with day and month swapped (03/12 and
   12/03); or two of day, month and year equal and the third differing by one digit or by its two
   neighbouring digits swapped (2015 and 2016, 12 and 21).

Two records that both carry a personal identification number, and not the same one, are two
children for rules 3 and 4 (the number is issued once per person), but not for rule 2: the same
folded name and date of birth in one district is listed whatever the numbers say, as
`SAME_NAME_DATE_OTHER_ID` (numbers one digit apart are a typo as often as two children; a differing
number is a reason to look, not to trust).

A match the registering user does not see (another commune, another district) is not shown to
them: `DuplicateAlert` records it for the staff of the lowest unit over both records, who find it on
the likely-duplicates page (`duplicate_alerts_open`), and the officer is told only that a likely
duplicate exists elsewhere and that staff were told.

The check on registration (`child_duplicates`) runs at most three indexed queries: the personal ID
(unique index), the district's children born that day (`child_birth_commune_idx`), and the same folded
name on the ~60 dates that are typos of the date of birth (`child_duplicate_idx`); the few rows found
are compared in Python. The district's list (`likely_duplicates`) reads the id, folded name, date of
birth and personal ID of the active children in the user's scope in one query, groups them in Python
by district and date of birth (rules 2 and 3: only pairs whose given names are one edit apart are
compared) and by district and name (rule 4: only pairs sharing a day-and-month, year-and-month,
year-and-day, swapped or 8-day-window key are compared): about 0.5 s for a district of 58,000.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from donations.models import Disbursement, Donation
from fund_portal.authority import Action, requires
from fund_portal.models import AdministrativeUnit
from fund_portal.text import fold

from .models import (
    Child,
    ChildStatus,
    ChildStatusChange,
    Circumstance,
    ConsentChange,
    DuplicateDismissal,
    Incident,
    Need,
    Review,
    Sponsorship,
    Support,
)
from .priority import priority_recompute

MAX_NAME_EDITS = 2
MAX_GIVEN_NAME_EDITS = 1
MAX_DAYS_APART = 3

SAME_PERSONAL_ID = "personal_id"
SAME_NAME_AND_DATE = "same"
SAME_NAME_DATE_OTHER_ID = "same_other_id"
CLOSE_NAME = "close_name"
CLOSE_DATE = "close_date"

#: Why two records look like one child, strongest first.
REASONS = {
    SAME_PERSONAL_ID: gettext_lazy("same personal ID"),
    SAME_NAME_AND_DATE: gettext_lazy("same name and date of birth"),
    SAME_NAME_DATE_OTHER_ID: gettext_lazy(
        "same name and date of birth, different personal IDs: check which ID is right"
    ),
    CLOSE_NAME: gettext_lazy("similar name, same date of birth"),
    CLOSE_DATE: gettext_lazy("same name, similar date of birth"),
}
_STRENGTH = {code: rank for rank, code in enumerate(REASONS)}


# The pure rules -------------------------------------------------------------------------------------


def edit_distance(a: str, b: str, limit: int | None = None) -> int:
    """Edits (insert, delete, replace, swap two neighbours) turning `a` into `b`; with `limit`, any
    answer above it may be returned as `limit + 1` (the computation stops early)."""
    while a and b and a[0] == b[0]:
        a, b = a[1:], b[1:]
    while a and b and a[-1] == b[-1]:
        a, b = a[:-1], b[:-1]
    if limit is not None and abs(len(a) - len(b)) > limit:
        return limit + 1
    if not a or not b:
        return len(a) + len(b)
    before, previous = None, list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, 1):
            cost = char_a != char_b
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if before is not None and i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                value = min(value, before[j - 2] + 1)
            current[j] = value
        if limit is not None and min(current) > limit:
            return limit + 1
        before, previous = previous, current
    return previous[-1]


def name_parts(folded: str) -> tuple[str, str]:
    """(family and middle names, given name): the given name (tên) is the last word of a Vietnamese name."""
    rest, _sep, given = folded.rpartition(" ")
    return rest, given


def names_close(a: str, b: str) -> bool:
    """Whether two folded names are equal or look like a typo of each other (rule 3 above)."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > MAX_NAME_EDITS:
        return False
    (rest_a, given_a), (rest_b, given_b) = name_parts(a), name_parts(b)
    given = edit_distance(given_a, given_b, MAX_GIVEN_NAME_EDITS)
    if given > MAX_GIVEN_NAME_EDITS:
        return False
    return given + edit_distance(rest_a, rest_b, MAX_NAME_EDITS) <= MAX_NAME_EDITS


def _digits_typo(a: int, b: int, width: int) -> bool:
    """Two numbers written with `width` digits differ in one digit, or by two neighbouring digits swapped."""
    x, y = f"{a:0{width}d}", f"{b:0{width}d}"
    differ = [i for i in range(width) if x[i] != y[i]]
    if len(differ) == 1:
        return True
    if len(differ) != 2:
        return False
    i, j = differ
    return j == i + 1 and x[i] == y[j] and x[j] == y[i]


def dates_close(a: dt.date, b: dt.date) -> bool:
    """Whether two different dates of birth look like a typo of each other (rule 4 above)."""
    if a == b:
        return False
    if abs(a.toordinal() - b.toordinal()) <= MAX_DAYS_APART:
        return True
    if a.year == b.year and a.day == b.month and a.month == b.day:
        return True
    if (a.month, a.day) == (b.month, b.day):
        return _digits_typo(a.year, b.year, 4)
    if (a.year, a.month) == (b.year, b.month):
        return _digits_typo(a.day, b.day, 2)
    if (a.year, a.day) == (b.year, b.day):
        return _digits_typo(a.month, b.month, 2)
    return False


def _digit_variants(value: int, width: int) -> set[int]:
    text = f"{value:0{width}d}"
    found = set()
    for i in range(width):
        for digit in "0123456789":
            found.add(text[:i] + digit + text[i + 1 :])
        if i + 1 < width:
            found.add(text[:i] + text[i + 1] + text[i] + text[i + 2 :])
    found.discard(text)
    return {int(v) for v in found}


def _date_or_none(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def date_variants(day: dt.date) -> set[dt.date]:
    """Every date that `dates_close` matches with `day` (about 60): the dates to look up on registration."""
    found = {day + dt.timedelta(days=n) for n in range(-MAX_DAYS_APART, MAX_DAYS_APART + 1) if n}
    candidates = [(day.year, day.day, day.month)]
    candidates += [(year, day.month, day.day) for year in _digit_variants(day.year, 4)]
    candidates += [(day.year, day.month, d) for d in _digit_variants(day.day, 2)]
    candidates += [(day.year, m, day.day) for m in _digit_variants(day.month, 2)]
    for year, month, d in candidates:
        date = _date_or_none(year, month, d) if year >= 1 else None
        if date is not None and date != day:
            found.add(date)
    return found


def _deletions(word: str) -> set[str]:
    """The word and the word minus one letter: two words within one edit share one of these."""
    return {word} | {word[:i] + word[i + 1 :] for i in range(len(word))}


def _different_people(personal_id_a: str | None, personal_id_b: str | None) -> bool:
    return bool(personal_id_a and personal_id_b and personal_id_a != personal_id_b)


def _reason(a_name: str, a_born: dt.date, b_name: str, b_born: dt.date) -> str | None:
    """The rule (2, 3 or 4 above) two records of one district meet, if any."""
    if a_born == b_born:
        if a_name == b_name:
            return SAME_NAME_AND_DATE
        return CLOSE_NAME if names_close(a_name, b_name) else None
    if a_name == b_name and dates_close(a_born, b_born):
        return CLOSE_DATE
    return None


def _close_given_names(names: set[str]) -> set[tuple[str, str]]:
    """The pairs (both ways, and each name with itself) of given names at most one edit apart."""
    by_variant: dict[str, list[str]] = defaultdict(list)
    for name in names:
        for variant in _deletions(name):
            by_variant[variant].append(name)
    close = {(name, name) for name in names}
    for group in by_variant.values():
        for position, a in enumerate(group):
            for b in group[position + 1 :]:
                if edit_distance(a, b, MAX_GIVEN_NAME_EDITS) <= MAX_GIVEN_NAME_EDITS:
                    close.update({(a, b), (b, a)})
    return close


def _date_keys(born: dt.date) -> tuple[int, ...]:
    """Keys two dates of birth share when `dates_close` may match them (each kind in its own range)."""
    year, month, day, ordinal = born.year, born.month, born.day, born.toordinal()
    return (
        month * 100 + day,  # a year typo: same day and month
        10**6 + year * 100 + month,  # a day typo: same year and month
        2 * 10**6 + year * 100 + day,  # a month typo: same year and day
        10**8 + year * 10**4 + min(month, day) * 100 + max(month, day),  # day and month swapped
        2 * 10**8 + ordinal // 8,  # 3 days apart or less: in one of two windows of 8 days
        3 * 10**8 + (ordinal + 4) // 8,
    )


def pairs_find(rows: list[tuple]) -> dict[tuple[int, int], str]:
    """Likely duplicate pairs among `rows` of (id, folded name, date of birth, personal ID, district id):
    {(smaller id, larger id): reason}. Pure: rows are grouped by district and date of birth (rules 2
    and 3: pairs whose given names are one edit apart at most are compared) and by district and name
    (rule 4: pairs sharing a `_date_keys` key are compared)."""
    by_date: dict[tuple, list[int]] = defaultdict(list)
    by_name: dict[tuple, list[int]] = defaultdict(list)
    parts: dict[str, tuple[str, str]] = {}
    for index, (_pk, name, born, _pid, district) in enumerate(rows):
        by_date[(district, born)].append(index)
        by_name[(district, name)].append(index)
        if name not in parts:
            parts[name] = name_parts(name)
    close_given = _close_given_names({given for _rest, given in parts.values()})
    rest_distance: dict[tuple[str, str], int] = {}
    found: dict[tuple[int, int], str] = {}

    def record(a: tuple, b: tuple, reason: str) -> None:
        if _different_people(a[3], b[3]):
            if reason != SAME_NAME_AND_DATE:  # two personal IDs: two people, unless all else is equal
                return
            reason = SAME_NAME_DATE_OTHER_ID
        key = (a[0], b[0]) if a[0] < b[0] else (b[0], a[0])
        if key not in found or _STRENGTH[reason] < _STRENGTH[found[key]]:
            found[key] = reason

    givens = [parts[row[1]][1] for row in rows]
    same_day_pairs = []
    for members in by_date.values():
        if len(members) > 1:
            for position, i in enumerate(members):
                given_a = givens[i]
                same_day_pairs += [
                    (i, j) for j in members[position + 1 :] if (given_a, givens[j]) in close_given
                ]
    for i, j in same_day_pairs:
        a, b = rows[i], rows[j]
        if a[1] == b[1]:
            record(a, b, SAME_NAME_AND_DATE)
            continue
        rest_a, rest_b = parts[a[1]][0], parts[b[1]][0]
        key = (rest_a, rest_b) if rest_a < rest_b else (rest_b, rest_a)
        if key not in rest_distance:
            rest_distance[key] = edit_distance(rest_a, rest_b, MAX_NAME_EDITS)
        if rest_distance[key] + (givens[i] != givens[j]) <= MAX_NAME_EDITS:
            record(a, b, CLOSE_NAME)
    for members in by_name.values():
        if len(members) < 2:
            continue
        keyed: dict[int, list[int]] = defaultdict(list)
        for i in members:
            for key in _date_keys(rows[i][2]):
                keyed[key].append(i)
        compared: set[tuple[int, int]] = set()
        for bucket in keyed.values():
            for position, i in enumerate(bucket):
                for j in bucket[position + 1 :]:
                    if (i, j) not in compared:
                        compared.add((i, j))
                        if dates_close(rows[i][2], rows[j][2]):
                            record(rows[i], rows[j], CLOSE_DATE)
    return found


# Reads ----------------------------------------------------------------------------------------------


def _district_communes(commune: AdministrativeUnit):
    """The communes of the commune's district (a subquery)."""
    if commune.parent_id is None:
        return AdministrativeUnit.objects.filter(pk=commune.pk).values("pk")
    return AdministrativeUnit.objects.filter(parent_id=commune.parent_id).values("pk")


def child_duplicates(
    *,
    full_name: str,
    birth_date: dt.date,
    personal_id: str | None,
    commune: AdministrativeUnit,
    exclude_pk: int | None = None,
) -> list[Child]:
    """Children already registered who are likely this one (the rules of the module docstring), strongest
    first, each with `duplicate_reason`: why, in words."""
    folded = fold(full_name)
    candidates = Child.objects.exclude(status=ChildStatus.MERGED).select_related("commune")
    if exclude_pk is not None:
        candidates = candidates.exclude(pk=exclude_pk)
    found: dict[int, tuple[str, Child]] = {}

    def add(child: Child, reason: str) -> None:
        if child.pk not in found:
            found[child.pk] = (reason, child)

    if personal_id:
        for child in candidates.filter(personal_id=personal_id):
            add(child, SAME_PERSONAL_ID)
    if birth_date is not None and commune is not None:
        district = _district_communes(commune)
        for child in candidates.filter(birth_date=birth_date, commune__in=district):
            reason = _reason(child.name_folded, child.birth_date, folded, birth_date)
            if reason and _different_people(child.personal_id, personal_id):
                reason = SAME_NAME_DATE_OTHER_ID if reason == SAME_NAME_AND_DATE else None
            if reason:
                add(child, reason)
        typos = sorted(date_variants(birth_date))
        for child in candidates.filter(name_folded=folded, birth_date__in=typos, commune__in=district):
            if not _different_people(child.personal_id, personal_id):
                add(child, CLOSE_DATE)
    ranked = sorted(found.values(), key=lambda item: (_STRENGTH[item[0]], item[1].name_folded, item[1].pk))
    for reason, child in ranked:
        child.duplicate_code, child.duplicate_reason = reason, str(REASONS[reason])
    return [child for _reason_code, child in ranked]


@dataclass
class DuplicatePair:
    """Two active records of one district that look like one child, the older one on the left."""

    left: Child
    right: Child
    code: str

    @property
    def reason(self) -> str:
        return str(REASONS[self.code])

    @property
    def sides(self) -> tuple[Child, Child]:
        return self.left, self.right


def likely_duplicates(*, user, limit: int = 100) -> list[DuplicatePair]:
    """The likely duplicates among the active children the user sees, pairs staff dismissed left out,
    strongest reason first; each child carries `supports_count`."""
    rows = list(
        Child.objects.visible_to(user)
        .active()
        .order_by()
        .values_list("pk", "name_folded", "birth_date", "personal_id", "commune__parent_id")
    )
    found = pairs_find(rows)
    if not found:
        return []
    dismissed = set(DuplicateDismissal.objects.visible_to(user).values_list("child_a_id", "child_b_id"))
    names = {row[0]: row[1] for row in rows}
    ranked = sorted(
        (item for item in found.items() if item[0] not in dismissed),
        key=lambda item: (_STRENGTH[item[1]], names[item[0][0]], item[0]),
    )[:limit]
    ids = {pk for pair, _code in ranked for pk in pair}
    children = (
        Child.objects.visible_to(user)
        .filter(pk__in=ids)
        .select_related("commune", "village")
        .annotate(supports_count=Count("supports"))
        .in_bulk()
    )
    return [
        DuplicatePair(left=children[a], right=children[b], code=code)
        for (a, b), code in ranked
        if a in children and b in children
    ]


def lowest_common_unit(a: AdministrativeUnit, b: AdministrativeUnit) -> AdministrativeUnit | None:
    """The lowest unit whose subtree holds both units (None across provinces: the fund's, above all)."""
    codes_a, codes_b = a.path.strip("/").split("/"), b.path.strip("/").split("/")
    common = None
    for code_a, code_b in zip(codes_a, codes_b, strict=False):
        if code_a != code_b:
            break
        common = code_a
    return AdministrativeUnit.objects.filter(code=common).first() if common else None


def duplicate_alerts_open(*, user, limit: int = 100) -> list:
    """Registrations that matched a record outside the registering user's scope, not checked yet, for
    the staff who see both (newest first)."""
    from .models import DuplicateAlert

    return list(
        DuplicateAlert.objects.visible_to(user)
        .filter(checked_at__isnull=True)
        .select_related("existing__commune", "registered", "commune", "by", "unit")
        .order_by("-at", "-id")[:limit]
    )


# Writes ---------------------------------------------------------------------------------------------


def duplicate_alert_record(
    *,
    existing: Child,
    commune: AdministrativeUnit,
    full_name: str,
    birth_date: dt.date,
    personal_id: str | None,
    reason: str,
    by,
):
    """Tell the staff who see both records that a registration matched a record the officer does not
    see. The same attempt repeated is recorded once while it is not checked."""
    from .models import DuplicateAlert

    existing_commune = AdministrativeUnit.objects.get(pk=existing.commune_id)
    alert, _created = DuplicateAlert.objects.get_or_create(
        existing=existing,
        commune=commune,
        full_name=full_name,
        birth_date=birth_date,
        personal_id=personal_id or "",
        by=by,
        checked_at__isnull=True,
        defaults={"reason": reason, "unit": lowest_common_unit(existing_commune, commune)},
    )
    return alert


@requires(Action.CHILD_MERGE)
def duplicate_alert_check(*, alert, by):
    """Staff who see both records checked an alert (merged, corrected or found two children)."""
    from .models import DuplicateAlert

    with transaction.atomic():
        locked = DuplicateAlert.objects.visible_to(by).select_for_update().filter(pk=alert.pk).first()
        if locked is None:
            raise ValidationError(_("This alert is outside your unit."), code="scope")
        if locked.checked_at is None:
            locked.checked_by, locked.checked_at = by, timezone.now()
            locked.save(update_fields=["checked_by", "checked_at"])
    return locked


#: Fields of the kept record filled from the removed one when empty on the kept one.
FILLED_FIELDS = [
    "guardian_name",
    "guardian_relationship",
    "guardian_phone",
    "school",
    "grade",
    "disability_type",
    "disability_severity",
    "health_notes",
    "photo",
]
#: Filled too, but only when both records are of the same commune (a village or an address elsewhere
#: is not the kept record's).
SAME_COMMUNE_FIELDS = ["village", "address"]


def _fill_from(keep: Child, remove: Child) -> None:
    for field in FILLED_FIELDS:
        if not getattr(keep, field) and getattr(remove, field):
            value = getattr(remove, field)
            setattr(keep, field, value.name if field == "photo" else value)  # the same stored file
    if keep.commune_id == remove.commune_id:
        for field in SAME_COMMUNE_FIELDS:
            attname = Child._meta.get_field(field).attname
            if not getattr(keep, attname) and getattr(remove, attname):
                setattr(keep, attname, getattr(remove, attname))
    if remove.poverty_year and (keep.poverty_year is None or remove.poverty_year > keep.poverty_year):
        keep.poverty, keep.poverty_year = remove.poverty, remove.poverty_year
    elif keep.poverty_year is None and keep.poverty == "none" and remove.poverty != "none":
        keep.poverty = remove.poverty
    if not keep.story and remove.story:
        keep.story, keep.story_consent = remove.story, remove.story_consent
    if remove.data_restricted and not keep.data_restricted:
        # The guardian withdrew the consent for this child: the record kept is restricted too.
        keep.data_restricted, keep.data_consent, keep.story_consent = True, False, False
        keep.consent_recorded_by_id = remove.consent_recorded_by_id
        keep.consent_recorded_at = remove.consent_recorded_at
    elif not keep.data_consent and remove.data_consent and not keep.data_restricted:
        keep.data_consent = True
        keep.consent_recorded_by_id = remove.consent_recorded_by_id
        keep.consent_recorded_at = remove.consent_recorded_at
    if keep.data_restricted:
        keep.story_consent = False
    if keep.priority_override is None and remove.priority_override is not None:
        keep.priority_override = remove.priority_override
        keep.priority_override_reason = remove.priority_override_reason
    years = [y for y in (keep.last_reviewed_year, remove.last_reviewed_year) if y]
    keep.last_reviewed_year = max(years) if years else None


def _move_gift_list_entries(keep: Child, remove: Child) -> None:
    """Gift-list lines follow the child. A line not handed over yet, on a list where the kept record
    already is, is a plan made twice for one child: it is dropped, so the handover gives one gift."""
    from campaigns.models import GiftListEntry

    kept_lists = set(GiftListEntry.objects.filter(child=keep).values_list("gift_list_id", flat=True))
    entries = GiftListEntry.objects.filter(child=remove)
    entries.filter(gift_list_id__in=kept_lists, support__isnull=True).delete()
    entries.update(child=keep)


def _move_history(keep: Child, remove: Child) -> None:
    """Every support, sponsorship, incident, need, review and circumstance of `remove` ends on `keep`;
    a row `keep` already has for the same key stays on `remove` (its record is kept, marked merged)."""
    Support.objects.filter(child=remove).update(child=keep)
    Sponsorship.objects.filter(child=remove).update(child=keep)
    Incident.objects.filter(child=remove).update(child=keep)
    _move_gift_list_entries(keep, remove)
    kept_groups = {(c.group, c.subgroup): c for c in Circumstance.objects.filter(child=keep)}
    for circumstance in Circumstance.objects.filter(child=remove):
        same = kept_groups.get((circumstance.group, circumstance.subgroup))
        if same is None:
            circumstance.child = keep
            circumstance.save(update_fields=["child"])
        elif circumstance.identified_on < same.identified_on:
            same.identified_on = circumstance.identified_on  # known since the earlier record said so
            same.save(update_fields=["identified_on"])
    kept_needs = {(n.year, n.area): n for n in Need.objects.filter(child=keep)}
    for need in Need.objects.filter(child=remove):
        same = kept_needs.get((need.year, need.area))
        if same is None:
            need.child = keep
            need.save(update_fields=["child"])
        elif need.urgency > same.urgency:
            same.urgency = need.urgency
            same.save(update_fields=["urgency"])
    kept_years = set(Review.objects.filter(child=keep).values_list("year", flat=True))
    Review.objects.filter(child=remove).exclude(year__in=kept_years).update(child=keep)


@requires(Action.CHILD_MERGE)
def child_merge(*, keep: Child, remove: Child, by, reason: str = "") -> Child:
    """Merge a record registered twice into the one kept: its supports, sponsorships, incidents, needs,
    reviews, circumstances and the donations restricted to it move over, its empty fields are filled,
    and the removed record stays, marked merged into the kept one, with its own history and access log."""
    if keep.pk == remove.pk:
        raise ValidationError(_("A record cannot be merged into itself."), code="same")
    with transaction.atomic():
        locked = {
            child.pk: child
            for child in Child.objects.visible_to(by)
            .select_for_update()
            .filter(pk__in=[keep.pk, remove.pk])
            .order_by("pk")
        }
        if len(locked) != 2:
            raise ValidationError(_("One of these records is outside your unit."), code="scope")
        keep, remove = locked[keep.pk], locked[remove.pk]
        if ChildStatus.MERGED in (keep.status, remove.status):
            raise ValidationError(_("One of these records has already been merged."), code="merged")
        districts = dict(
            AdministrativeUnit.objects.filter(pk__in=[keep.commune_id, remove.commune_id]).values_list(
                "pk", "parent_id"
            )
        )
        if districts[keep.commune_id] != districts[remove.commune_id]:
            raise ValidationError(
                _("Only records of the same district can be merged; ask the province to move one first."),
                code="district",
            )
        if _different_people(keep.personal_id, remove.personal_id):
            raise ValidationError(
                _(
                    "These records have different personal identification numbers. If they are one child, "
                    "clear the wrong number on its record first, then merge."
                ),
                code="personal_id",
            )
        _move_history(keep, remove)
        Donation.objects.filter(restriction_child_id=remove.pk).update(restriction_child_id=keep.pk)
        Disbursement.objects.filter(restriction_child_id=remove.pk).update(restriction_child_id=keep.pk)
        if not keep.personal_id and remove.personal_id:
            keep.personal_id, remove.personal_id = remove.personal_id, None
            remove.save(update_fields=["personal_id", "updated_at"])  # the number is unique: free it first
        restricted_before = keep.data_restricted
        _fill_from(keep, remove)
        keep.full_clean()
        keep.save()
        if keep.data_restricted and not restricted_before:
            ConsentChange.objects.create(
                child=keep, data_consent=False, story_consent=False, withdrawn=True, by=by
            )
        ChildStatusChange.objects.create(
            child=remove,
            status_from=remove.status,
            status_to=ChildStatus.MERGED,
            on=timezone.localdate(),
            reason=(
                _("Merged into the record of %(name)s (no. %(id)s).")
                % {"name": keep.full_name, "id": keep.pk}
                + (f" {reason}" if reason else "")
            )[:255],
            by=by,
        )
        remove.status, remove.merged_into = ChildStatus.MERGED, keep
        remove.save(update_fields=["status", "merged_into", "updated_at"])
        priority_recompute(child_ids=[keep.pk])
        keep.refresh_from_db()
    return keep


@requires(Action.CHILD_MERGE)
def duplicate_dismiss(*, child_a: Child, child_b: Child, by) -> DuplicateDismissal:
    """Record that staff checked two records and found two different children: the pair is not listed
    again."""
    if child_a.pk == child_b.pk:
        raise ValidationError(_("A record cannot be compared with itself."), code="same")
    visible = Child.objects.visible_to(by).filter(pk__in=[child_a.pk, child_b.pk]).count()
    if visible != 2:
        raise ValidationError(_("One of these records is outside your unit."), code="scope")
    low, high = sorted([child_a.pk, child_b.pk])
    dismissal, _created = DuplicateDismissal.objects.get_or_create(
        child_a_id=low, child_b_id=high, defaults={"by": by}
    )
    return dismissal
