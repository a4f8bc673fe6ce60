"""Money is whole đồng (int). Shown the Vietnamese way: 1.250.000 ₫."""


def format_vnd(amount: int | None, *, symbol: bool = True) -> str:
    if amount is None:
        return ""
    if isinstance(amount, float):
        raise TypeError("Money is whole đồng (int), never a float.")
    amount = int(amount)
    digits = f"{abs(amount):,}".replace(",", ".")
    sign = "-" if amount < 0 else ""
    return f"{sign}{digits} ₫" if symbol else f"{sign}{digits}"
