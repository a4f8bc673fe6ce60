"""Age bands of the reports, and the school-age bands of the programmes (a child is a person under 16:
Luật Trẻ em, Điều 1)."""

from django.utils.translation import gettext_lazy as _

# (youngest age, oldest age, label); ages in whole years, both ends included.
AGE_BANDS: tuple[tuple[int, int, str], ...] = (
    (0, 2, "0–2 tuổi"),
    (3, 5, "3–5 tuổi"),
    (6, 10, "6–10 tuổi"),
    (11, 15, "11–15 tuổi"),
)


def age_band(age: int) -> str:
    """The report label of the age band of a child of this age in whole years ("0–2 tuổi", ...).

    ValueError for an age outside 0..15: at 16 a person is no longer a child.
    """
    if isinstance(age, bool) or not isinstance(age, int):
        raise TypeError(f"An age is a whole number of years, not {age!r}.")
    for youngest, oldest, label in AGE_BANDS:
        if youngest <= age <= oldest:
            return label
    raise ValueError(f"A child's age is 0 to 15 years, not {age}.")


#: The school-age bands the programmes name (mầm non, tiểu học: Decision 588/QĐ-TTg's health checks and
#: meals are for pre-school and primary children): (key, youngest, oldest, label), ages in whole years
#: on the day that counts, both ends included. A child of 15 is in upper secondary (grade 10).
SCHOOL_AGE_BANDS: tuple[tuple[str, int, int, str], ...] = (
    ("preschool", 0, 5, _("Pre-school (0–5 years)")),
    ("primary", 6, 10, _("Primary school (6–10 years)")),
    ("lower_secondary", 11, 14, _("Lower secondary school (11–14 years)")),
    ("upper_secondary", 15, 15, _("Upper secondary school (15 years)")),
)

#: The oldest age of a child in whole years.
OLDEST_CHILD_AGE = 15


def school_age_band(key: str) -> tuple[int, int]:
    """(youngest, oldest) of a school-age band by its key; KeyError for an unknown key."""
    for band, youngest, oldest, _label in SCHOOL_AGE_BANDS:
        if band == key:
            return youngest, oldest
    raise KeyError(key)
