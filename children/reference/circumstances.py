"""Children in special circumstances (trẻ em có hoàn cảnh đặc biệt): the 14 groups of the Law on
Children 2016, Article 10, and their subgroups of Decree 56/2017/NĐ-CP; which are sensitive. A code,
once used, never changes meaning (see `children.reference`)."""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Subgroup:
    """A subgroup of Decree 56/2017 (one clause of the article on its group)."""

    code: str  # "G01.1": the group's code, a dot, the clause's number in the decree's article
    name: str  # Vietnamese, as in the decree
    name_en: str  # English gloss
    group_code: str
    # True: the wording was checked against a published copy of the decree. False: written from
    # knowledge of the decree and to be checked against the official text (công báo, vbpl.vn);
    # the code stays whatever the wording turns out to be.
    checked: bool

    @property
    def group(self) -> "Group":
        return _GROUPS_BY_CODE[self.group_code]

    @property
    def sensitive(self) -> bool:
        return self.group.sensitive


@dataclass(frozen=True, slots=True)
class Group:
    """A group of children in special circumstances of Article 10 of the Law on Children 2016."""

    code: str  # "G01".."G14", in the article's order
    point: str  # the point of Điều 10 khoản 1: "a".."o" (Vietnamese lettering: no f, j; "đ" after "d")
    name: str  # Vietnamese, as in the law
    name_en: str  # English gloss
    # Shown only to users with the permission `children.view_sensitive`; without it the group is
    # left out on the server (and so are its subgroups).
    sensitive: bool
    decree_article: int  # the article of Decree 56/2017/NĐ-CP that splits the group
    subgroups: tuple[Subgroup, ...]


def _group(
    number: int,
    point: str,
    name: str,
    name_en: str,
    *,
    sensitive: bool,
    subgroups: list[tuple[str, str, bool]],
) -> Group:
    code = f"G{number:02d}"
    return Group(
        code=code,
        point=point,
        name=name,
        name_en=name_en,
        sensitive=sensitive,
        decree_article=number + 2,  # Điều 3 for group a) .. Điều 16 for group o)
        subgroups=tuple(
            Subgroup(code=f"{code}.{index}", name=vi, name_en=en, group_code=code, checked=checked)
            for index, (vi, en, checked) in enumerate(subgroups, start=1)
        ),
    )


_PRISON = (
    "đang chấp hành án phạt tù tại trại giam hoặc đang chấp hành quyết định đưa vào cơ sở giáo dục "
    "bắt buộc, cơ sở cai nghiện bắt buộc"
)
_PRISON_EN = (
    "serving a prison sentence, or held in a compulsory education or compulsory drug-treatment centre"
)
_FACILITY = "đang hưởng chế độ chăm sóc, nuôi dưỡng tại cơ sở trợ giúp xã hội"
_FACILITY_EN = "cared for in a social assistance facility"
_INCAPABLE = "không còn khả năng chăm sóc, nuôi dưỡng"
_INCAPABLE_EN = "no longer able to care for the child"

# Sensitivity, group by group. The portal treats as sensitive what could stigmatise the child or
# expose them to harm if known in the village, and what Decree 13/2023/NĐ-CP on personal data
# counts as sensitive personal data of a kind that stigmatises (HIV status, criminal matters,
# drug use, sexual life), and every group of victims of abuse (violence, exploitation, sexual
# abuse, trafficking): knowing the group tells what was done to the child.
# Not sensitive: orphaned, abandoned, no one to rely on, disability, out of school to earn a
# living, serious illness in a poor household, migrant/refugee. These are what communes, donors
# and the fund work with every day (support is planned on them) and are generally known in the
# community. Disability and illness are health data under Decree 13/2023, but the child's health
# notes themselves stay behind the permission (`Child.health_notes`); only the group is shown.
# Known limit: some subgroups of non-sensitive groups reveal a parent's imprisonment or drug
# treatment (G03.3, G03.6, G03.8-G03.10). Sensitivity is decided per group, as the registry's
# selectors and admin check it by group code.
SPECIAL_CIRCUMSTANCES: tuple[Group, ...] = (
    _group(
        1,
        "a",
        "Trẻ em mồ côi cả cha và mẹ",
        "Children orphaned of both parents",
        sensitive=False,
        subgroups=[
            (
                "Trẻ em mồ côi cả cha và mẹ không có người chăm sóc",
                "Orphaned of both parents, with no one caring for them",
                True,
            ),
            (
                "Trẻ em mồ côi cả cha và mẹ được nuôi dưỡng trong cơ sở cung cấp dịch vụ bảo vệ trẻ em "
                "hoặc cơ sở trợ giúp xã hội",
                "Orphaned of both parents, cared for in a child protection service or social assistance "
                "facility",
                True,
            ),
            (
                "Trẻ em mồ côi cả cha và mẹ sống với người thân thích",
                "Orphaned of both parents, living with relatives",
                True,
            ),
            (
                "Trẻ em mồ côi cả cha và mẹ được nhận chăm sóc thay thế bởi cá nhân, gia đình không phải "
                "người thân thích, trừ trường hợp được nhận làm con nuôi",
                "Orphaned of both parents, in alternative care with a person or family who are not "
                "relatives (other than adoption)",
                True,
            ),
        ],
    ),
    _group(
        2,
        "b",
        "Trẻ em bị bỏ rơi",
        "Abandoned children",
        sensitive=False,
        subgroups=[
            ("Trẻ em bị bỏ rơi chưa được chăm sóc thay thế", "Abandoned, not yet in alternative care", True),
            ("Trẻ em bị bỏ rơi được chăm sóc thay thế", "Abandoned, in alternative care", True),
        ],
    ),
    _group(
        3,
        "c",
        "Trẻ em không nơi nương tựa",
        "Children with no one to rely on",
        sensitive=False,
        subgroups=[
            (
                "Trẻ em mồ côi cha hoặc mẹ và người còn lại mất tích theo quy định của pháp luật",
                "One parent dead, the other declared missing",
                True,
            ),
            (
                f"Trẻ em mồ côi cha hoặc mẹ và người còn lại {_FACILITY} hoặc {_INCAPABLE}",
                f"One parent dead, the other {_FACILITY_EN} or {_INCAPABLE_EN}",
                True,
            ),
            (
                f"Trẻ em mồ côi cha hoặc mẹ và người còn lại {_PRISON}",
                f"One parent dead, the other {_PRISON_EN}",
                True,
            ),
            (
                "Trẻ em có cả cha và mẹ mất tích theo quy định của pháp luật",
                "Both parents declared missing",
                True,
            ),
            # Seen cut off after "người còn lại đang hư..."; the end follows clause 2.
            (
                "Trẻ em có cha hoặc mẹ mất tích theo quy định của pháp luật và người còn lại "
                f"{_FACILITY} hoặc {_INCAPABLE}",
                f"One parent declared missing, the other {_FACILITY_EN} or {_INCAPABLE_EN}",
                False,
            ),
            (
                f"Trẻ em có cha hoặc mẹ mất tích theo quy định của pháp luật và người còn lại {_PRISON}",
                f"One parent declared missing, the other {_PRISON_EN}",
                False,
            ),
            # Clauses 7 to 9: reconstructed from the pattern of the decree (and of Decree
            # 136/2013/NĐ-CP, whose list it follows); to be checked.
            (
                f"Trẻ em có cả cha và mẹ {_FACILITY} hoặc {_INCAPABLE}",
                f"Both parents {_FACILITY_EN} or {_INCAPABLE_EN}",
                False,
            ),
            (f"Trẻ em có cả cha và mẹ {_PRISON}", f"Both parents {_PRISON_EN}", False),
            (
                f"Trẻ em có cha hoặc mẹ {_INCAPABLE} và người còn lại {_PRISON}",
                f"One parent {_INCAPABLE_EN}, the other {_PRISON_EN}",
                False,
            ),
            # Seen: the end of clause 10 and clauses 11-12, in a source that numbers them (10)-(12)
            # without naming the article; attributed to Điều 5 by their place and content.
            (
                f"Trẻ em có cha hoặc mẹ {_FACILITY} và người còn lại {_PRISON}",
                f"One parent {_FACILITY_EN}, the other {_PRISON_EN}",
                False,
            ),
            (
                "Trẻ em sống trong gia đình có cả cha và mẹ trong độ tuổi trẻ em",
                "Living in a family where both parents are themselves children (under 16)",
                False,
            ),
            (
                "Trẻ em có cả cha và mẹ bị hạn chế quyền làm cha mẹ hoặc tạm thời cách ly khỏi cha hoặc mẹ "
                "theo quy định của pháp luật",
                "Both parents' parental rights restricted, or the child temporarily separated from the "
                "parents under the law",
                False,
            ),
        ],
    ),
    _group(
        4,
        "d",
        "Trẻ em khuyết tật",
        "Children with disabilities",
        sensitive=False,
        # The degrees of the Law on Persons with Disabilities 2010 (Điều 3). Whether the decree's
        # third clause is "khuyết tật nhẹ" or narrower (e.g. a mild disability with learning
        # difficulties) is to be checked.
        subgroups=[
            ("Trẻ em khuyết tật đặc biệt nặng", "Extremely severe disability", False),
            ("Trẻ em khuyết tật nặng", "Severe disability", False),
            ("Trẻ em khuyết tật nhẹ", "Mild disability", False),
        ],
    ),
    _group(
        5,
        "đ",
        "Trẻ em nhiễm HIV/AIDS",
        "Children living with HIV/AIDS",
        sensitive=True,
        # Split by household poverty as for group n) (Điều 15, checked); the decree's own split of
        # this group is to be checked.
        subgroups=[
            ("Trẻ em nhiễm HIV/AIDS thuộc hộ nghèo", "Living with HIV/AIDS, in a poor household", False),
            (
                "Trẻ em nhiễm HIV/AIDS thuộc hộ cận nghèo",
                "Living with HIV/AIDS, in a near-poor household",
                False,
            ),
            (
                "Trẻ em nhiễm HIV/AIDS không thuộc hộ nghèo, hộ cận nghèo",
                "Living with HIV/AIDS, in a household that is neither poor nor near-poor",
                False,
            ),
        ],
    ),
    _group(
        6,
        "e",
        "Trẻ em vi phạm pháp luật",
        "Children in conflict with the law",
        sensitive=True,
        # The measures of the Law on Handling Administrative Violations 2012 and of the Criminal
        # Code 2015 (Chương XII) that apply to a child; the decree's exact clauses are to be checked.
        subgroups=[
            (
                "Trẻ em bị áp dụng biện pháp xử lý vi phạm hành chính giáo dục tại xã, phường, thị trấn",
                "Administrative measure: education in the commune",
                False,
            ),
            (
                "Trẻ em bị áp dụng biện pháp xử lý vi phạm hành chính đưa vào trường giáo dưỡng",
                "Administrative measure: reformatory school",
                False,
            ),
            (
                "Trẻ em được áp dụng biện pháp thay thế xử lý vi phạm hành chính quản lý tại gia đình",
                "Alternative to an administrative measure: supervision by the family",
                False,
            ),
            (
                "Trẻ em được miễn trách nhiệm hình sự và áp dụng biện pháp khiển trách, hòa giải tại cộng "
                "đồng hoặc giáo dục tại xã, phường, thị trấn",
                "Exempted from criminal liability: reprimand, community mediation or education in the "
                "commune",
                False,
            ),
            (
                "Trẻ em bị áp dụng biện pháp tư pháp giáo dục tại trường giáo dưỡng",
                "Judicial measure: reformatory school",
                False,
            ),
            (
                "Trẻ em bị kết án được hưởng án treo hoặc bị áp dụng hình phạt không phải là tù",
                "Convicted, with a suspended sentence or a non-custodial penalty",
                False,
            ),
            ("Trẻ em đang chấp hành án phạt tù tại trại giam", "Serving a prison sentence", False),
        ],
    ),
    _group(
        7,
        "g",
        "Trẻ em nghiện ma túy",
        "Children addicted to drugs",
        sensitive=True,
        # The forms of drug treatment of the Law on Drug Prevention and Control; to be checked.
        subgroups=[
            (
                "Trẻ em nghiện ma túy đang cai nghiện tại gia đình, cộng đồng",
                "In drug treatment at home or in the community",
                False,
            ),
            (
                "Trẻ em nghiện ma túy đang cai nghiện tại cơ sở cai nghiện ma túy",
                "In drug treatment in a treatment centre",
                False,
            ),
            (
                "Trẻ em nghiện ma túy chưa được cai nghiện",
                "Not (yet) in drug treatment",
                False,
            ),
        ],
    ),
    _group(
        8,
        "h",
        "Trẻ em phải bỏ học kiếm sống chưa hoàn thành phổ cập giáo dục trung học cơ sở",
        "Children out of school to earn a living before completing lower-secondary education",
        sensitive=False,
        # Split by the level left; the decree's own split is to be checked.
        subgroups=[
            (
                "Trẻ em phải bỏ học kiếm sống chưa hoàn thành chương trình giáo dục tiểu học",
                "Left school to earn a living before completing primary school",
                False,
            ),
            (
                "Trẻ em phải bỏ học kiếm sống chưa hoàn thành chương trình giáo dục trung học cơ sở",
                "Left school to earn a living after primary school, before completing lower-secondary school",
                False,
            ),
        ],
    ),
    _group(
        9,
        "i",
        "Trẻ em bị tổn hại nghiêm trọng về thể chất và tinh thần do bị bạo lực",
        "Children seriously harmed physically or mentally by violence",
        sensitive=True,
        # To be checked (the decree may set a threshold, e.g. a rate of bodily injury).
        subgroups=[
            (
                "Trẻ em bị tổn hại nghiêm trọng về thể chất do bị bạo lực",
                "Seriously harmed physically by violence",
                False,
            ),
            (
                "Trẻ em bị tổn hại nghiêm trọng về tinh thần do bị bạo lực",
                "Seriously harmed mentally by violence",
                False,
            ),
        ],
    ),
    _group(
        10,
        "k",
        "Trẻ em bị bóc lột",
        "Exploited children",
        sensitive=True,
        # Clause 1 seen in part ("Trẻ em bị bắt buộc tham gia lao động trái..."); the others follow the
        # Law's definition of exploitation (Luật Trẻ em, Điều 4 khoản 8) and are to be checked.
        subgroups=[
            (
                "Trẻ em bị bắt buộc tham gia lao động trái quy định của pháp luật về lao động",
                "Forced to work in breach of labour law",
                False,
            ),
            (
                "Trẻ em bị bắt buộc trình diễn hoặc tham gia sản xuất sản phẩm khiêu dâm",
                "Forced to perform in or take part in producing pornography",
                False,
            ),
            (
                "Trẻ em bị sử dụng trong hoạt động du lịch nhằm mục đích xâm hại tình dục trẻ em",
                "Used in tourism aimed at the sexual abuse of children",
                False,
            ),
            (
                "Trẻ em bị cho, nhận hoặc cung cấp để hoạt động mại dâm",
                "Given, received or supplied for prostitution",
                False,
            ),
            (
                "Trẻ em bị sử dụng để trục lợi dưới các hình thức khác",
                "Used for profit in other ways",
                False,
            ),
        ],
    ),
    _group(
        11,
        "l",
        "Trẻ em bị xâm hại tình dục",
        "Sexually abused children",
        sensitive=True,
        subgroups=[
            ("Trẻ em bị hiếp dâm", "Raped", True),
            ("Trẻ em bị cưỡng dâm", "Coerced into sexual intercourse", True),
            ("Trẻ em bị giao cấu", "Subjected to sexual intercourse (statutory)", True),
            ("Trẻ em bị dâm ô", "Sexually molested", True),
            (
                "Trẻ em bị sử dụng vào mục đích mại dâm, khiêu dâm dưới mọi hình thức",
                "Used for prostitution or pornography in any form",
                True,
            ),
        ],
    ),
    _group(
        12,
        "m",
        "Trẻ em bị mua bán",
        "Trafficked children",
        sensitive=True,
        # To be checked.
        subgroups=[
            ("Trẻ em bị mua bán trong nước", "Trafficked within Vietnam", False),
            ("Trẻ em bị mua bán ra nước ngoài", "Trafficked abroad", False),
        ],
    ),
    _group(
        13,
        "n",
        "Trẻ em mắc bệnh hiểm nghèo hoặc bệnh phải điều trị dài ngày thuộc hộ nghèo hoặc hộ cận nghèo",
        "Children with a serious or long-term illness in a poor or near-poor household",
        sensitive=False,
        subgroups=[
            (
                "Trẻ em thuộc hộ nghèo mắc bệnh hiểm nghèo hoặc bệnh phải điều trị dài ngày theo quy định "
                "của cơ quan có thẩm quyền",
                "In a poor household, with a serious or long-term illness (as listed by the authorities)",
                True,
            ),
            (
                "Trẻ em thuộc hộ cận nghèo mắc bệnh hiểm nghèo hoặc bệnh phải điều trị dài ngày theo quy "
                "định của cơ quan có thẩm quyền",
                "In a near-poor household, with a serious or long-term illness (as listed by the "
                "authorities)",
                True,
            ),
        ],
    ),
    _group(
        14,
        "o",
        "Trẻ em di cư, trẻ em lánh nạn, tị nạn chưa xác định được cha mẹ hoặc không có người chăm sóc",
        "Migrant, refugee or asylum-seeking children whose parents are unknown or who have no carer",
        sensitive=False,
        # Split by the three situations the Law names; to be checked.
        subgroups=[
            (
                "Trẻ em di cư chưa xác định được cha mẹ hoặc không có người chăm sóc",
                "Migrant child, parents unknown or no carer",
                False,
            ),
            (
                "Trẻ em lánh nạn chưa xác định được cha mẹ hoặc không có người chăm sóc",
                "Child displaced by a disaster or conflict, parents unknown or no carer",
                False,
            ),
            (
                "Trẻ em tị nạn chưa xác định được cha mẹ hoặc không có người chăm sóc",
                "Refugee or asylum-seeking child, parents unknown or no carer",
                False,
            ),
        ],
    ),
)

_GROUPS_BY_CODE: dict[str, Group] = {g.code: g for g in SPECIAL_CIRCUMSTANCES}
_SUBGROUPS_BY_CODE: dict[str, Subgroup] = {s.code: s for g in SPECIAL_CIRCUMSTANCES for s in g.subgroups}

SENSITIVE_CODES: frozenset[str] = frozenset(g.code for g in SPECIAL_CIRCUMSTANCES if g.sensitive)


def group(code: str) -> Group:
    """The group with this code ("G01".."G14"); KeyError for an unknown code."""
    return _GROUPS_BY_CODE[code]


def subgroup(code: str) -> Subgroup:
    """The subgroup with this code ("G01.1", ...); KeyError for an unknown code."""
    return _SUBGROUPS_BY_CODE[code]


def is_sensitive(code: str) -> bool:
    """Whether a group or subgroup (by code) is shown only with the permission to see sensitive data.

    A subgroup is as sensitive as its group. An unknown code counts as sensitive: data that cannot
    be classified is not shown to everyone (deny by default).
    """
    if code in _GROUPS_BY_CODE:
        return _GROUPS_BY_CODE[code].sensitive
    if code in _SUBGROUPS_BY_CODE:
        return _SUBGROUPS_BY_CODE[code].sensitive
    return True


def choices_groups() -> list[tuple[str, str]]:
    """(code, Vietnamese name) of the 14 groups, in the law's order, for Django `choices`."""
    return [(g.code, g.name) for g in SPECIAL_CIRCUMSTANCES]


def choices_subgroups(group_code: str | None = None) -> list[tuple[str, str]]:
    """(code, Vietnamese name) of the subgroups, in order, for Django `choices`; of one group if given."""
    groups = SPECIAL_CIRCUMSTANCES if group_code is None else (group(group_code),)
    return [(s.code, s.name) for g in groups for s in g.subgroups]
