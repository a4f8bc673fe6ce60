"""The kinds and levels of disability of the Law on Persons with Disabilities 2010 (Luật Người khuyết
tật, Article 3), the categories a commune's disability certificate (giấy xác nhận khuyết tật) uses.

A child's record stores the code of the kind and of the level. Records typed before these lists
existed keep their text when it is not one of the known words (`disability_code`), and are shown as
typed (`disability_shown`)."""

import re

from django.db import models
from django.utils.translation import gettext_lazy as _

from fund_portal.text import fold


class DisabilityType(models.TextChoices):
    """Article 3.1: dạng tật."""

    MOTOR = "motor", _("Physical (mobility) disability")
    HEARING_SPEECH = "hearing_speech", _("Hearing or speech disability")
    VISUAL = "visual", _("Visual disability")
    MENTAL = "mental", _("Neurological or mental disability")
    INTELLECTUAL = "intellectual", _("Intellectual disability")
    OTHER = "other", _("Other disability")


class DisabilitySeverity(models.TextChoices):
    """Article 3.2: mức độ khuyết tật."""

    VERY_SEVERE = "very_severe", _("Extremely severe")
    SEVERE = "severe", _("Severe")
    MILD = "mild", _("Mild")


#: Words people typed for each kind, folded (no diacritics, lower case), with "khuyết tật" taken off.
_TYPE_WORDS = {
    DisabilityType.MOTOR: ("van dong", "than the", "vd", "motor", "physical", "mobility"),
    DisabilityType.HEARING_SPEECH: (
        "nghe noi",
        "nghe, noi",
        "nghe",
        "noi",
        "khiem thinh",
        "cam diec",
        "diec",
        "hearing",
        "speech",
        "hearing or speech",
    ),
    DisabilityType.VISUAL: ("nhin", "khiem thi", "mu", "thi giac", "visual", "blind"),
    DisabilityType.MENTAL: (
        "than kinh tam than",
        "than kinh, tam than",
        "than kinh",
        "tam than",
        "mental",
        "neurological",
    ),
    DisabilityType.INTELLECTUAL: ("tri tue", "chan phat trien tri tue", "intellectual"),
    DisabilityType.OTHER: ("khac", "dang khac", "other"),
}
_SEVERITY_WORDS = {
    DisabilitySeverity.VERY_SEVERE: (
        "dac biet nang",
        "rat nang",
        "extremely severe",
        "very severe",
    ),
    DisabilitySeverity.SEVERE: ("nang", "severe"),
    DisabilitySeverity.MILD: ("nhe", "mild"),
}


def _key(text: str) -> str:
    folded = fold(text or "")
    folded = re.sub(r"^(khuyet tat|muc do|dang tat|kt)\s*:?\s*", "", folded)
    return re.sub(r"[\s.;]+", " ", folded).strip(" -")


def _lookup(words: dict, enum, value: str) -> str:
    if value in enum.values:
        return value
    key = _key(value)
    for code, known in words.items():
        if key in known or key == _key(str(code.label)):
            return str(code)
    return value


def disability_type_code(value: str) -> str:
    """The code of a kind typed as text (e.g. "Khuyết tật vận động" -> "motor"); other text is kept."""
    return _lookup(_TYPE_WORDS, DisabilityType, (value or "").strip())


def disability_severity_code(value: str) -> str:
    """The code of a level typed as text (e.g. "Đặc biệt nặng" -> "very_severe"); other text is kept."""
    return _lookup(_SEVERITY_WORDS, DisabilitySeverity, (value or "").strip())


def disability_type_shown(value: str) -> str:
    """The kind's name, or the text as it was typed before the list existed."""
    return str(DisabilityType(value).label) if value in DisabilityType.values else value


def disability_severity_shown(value: str) -> str:
    return str(DisabilitySeverity(value).label) if value in DisabilitySeverity.values else value
