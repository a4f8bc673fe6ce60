"""Ethnic groups (dân tộc): the 54 codes of the General Statistics Office's list of 1979 (Quyết định
121-TCTK/PPCĐ), and their shares in the 2019 census. A code, once used, never changes meaning (see
`children.reference`)."""

# The 54 groups in the order and with the codes of Quyết định 121-TCTK/PPCĐ (1979). Names are the
# current official short names, without the old alternative names the 1979 list gives in brackets
# ("Kinh (Việt)", "Hoa (Hán)", "Hmông (Mèo)"; "Mèo" is no longer used, being felt as pejorative).
ETHNIC_GROUPS: tuple[tuple[str, str], ...] = (
    ("01", "Kinh"),
    ("02", "Tày"),
    ("03", "Thái"),
    ("04", "Hoa"),
    ("05", "Khơ-me"),
    ("06", "Mường"),
    ("07", "Nùng"),
    # The 1979 list writes "Hmông", the 2008 list "H'mông"; the 2019 census and the Ethnic
    # Committee write "Mông". Kept as in the 1979 list.
    ("08", "Hmông"),
    ("09", "Dao"),
    ("10", "Gia-rai"),
    ("11", "Ngái"),
    ("12", "Ê-đê"),
    ("13", "Ba-na"),
    ("14", "Xơ-đăng"),
    ("15", "Sán Chay"),
    ("16", "Cơ-ho"),
    ("17", "Chăm"),
    ("18", "Sán Dìu"),
    ("19", "Hrê"),
    ("20", "Mnông"),
    ("21", "Ra-glai"),
    ("22", "Xtiêng"),
    ("23", "Bru-Vân Kiều"),
    ("24", "Thổ"),
    ("25", "Giáy"),
    ("26", "Cơ-tu"),
    ("27", "Gié-Triêng"),
    ("28", "Mạ"),
    ("29", "Khơ-mú"),
    ("30", "Co"),
    ("31", "Tà-ôi"),
    ("32", "Chơ-ro"),
    ("33", "Kháng"),
    ("34", "Xinh-mun"),
    ("35", "Hà Nhì"),
    ("36", "Chu-ru"),
    ("37", "Lào"),
    ("38", "La Chí"),
    ("39", "La Ha"),
    ("40", "Phù Lá"),
    ("41", "La Hủ"),
    ("42", "Lự"),
    ("43", "Lô Lô"),
    ("44", "Chứt"),
    ("45", "Mảng"),
    ("46", "Pà Thẻn"),
    # Spellings differ between lists ("Cờ Lao", "Cơ Lao", "Co Lao"); "Cờ Lao" is the form of the
    # 2019 census tables and of the Ethnic Committee, as far as known.
    ("47", "Cờ Lao"),
    ("48", "Cống"),
    ("49", "Bố Y"),
    ("50", "Si La"),
    ("51", "Pu Péo"),
    ("52", "Brâu"),
    ("53", "Ơ-đu"),
    ("54", "Rơ-măm"),
)

ETHNIC_GROUPS_BY_CODE: dict[str, str] = dict(ETHNIC_GROUPS)

KINH = "01"

# Share of the population (percent) of the largest groups in the 2019 census, rounded to 0.01 %
# (total population 96,208,984). Only the groups of about 0.2 % and more are given; the rest of the
# population (about 1.4 %) is spread evenly over the other 37 groups. Good enough for a demo
# generator to draw realistic ethnicities; not a statistic to publish.
_CENSUS_2019_LARGEST: dict[str, float] = {
    "01": 85.32,  # Kinh
    "02": 1.92,  # Tày
    "03": 1.89,  # Thái
    "06": 1.51,  # Mường
    "08": 1.45,  # Hmông
    "05": 1.37,  # Khơ-me
    "07": 1.13,  # Nùng
    "09": 0.93,  # Dao
    "04": 0.78,  # Hoa
    "10": 0.53,  # Gia-rai
    "12": 0.41,  # Ê-đê
    "13": 0.30,  # Ba-na
    "14": 0.22,  # Xơ-đăng
    "15": 0.21,  # Sán Chay
    "16": 0.21,  # Cơ-ho
    "17": 0.19,  # Chăm
    "18": 0.19,  # Sán Dìu
}
_REST = [code for code, _name in ETHNIC_GROUPS if code not in _CENSUS_2019_LARGEST]
_REST_SHARE = (100 - sum(_CENSUS_2019_LARGEST.values())) / len(_REST)

ETHNIC_SHARES: dict[str, float] = {
    code: _CENSUS_2019_LARGEST.get(code, _REST_SHARE) for code, _name in ETHNIC_GROUPS
}


def ethnic_group_name(code: str) -> str:
    """The name of the ethnic group with this code ("01" -> "Kinh"); KeyError for an unknown code."""
    return ETHNIC_GROUPS_BY_CODE[code]
