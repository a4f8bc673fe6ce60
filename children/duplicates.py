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

This module holds the rules (pure functions); the reads are in `children.selectors.duplicates`, the
writes (alerts, `child_merge`, `duplicate_dismiss`) in `children.services.duplicates`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.utils.translation import gettext_lazy

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


# The rules -------------------------------------------------------------------------------------


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
