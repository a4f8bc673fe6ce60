"""Age bands of the reports (a child is a person under 16: Luật Trẻ em, Điều 1)."""

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
