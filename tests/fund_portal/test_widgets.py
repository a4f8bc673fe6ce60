"""`ListSelect` writes the same HTML as Django's `Select`, whose options it renders without an included
template each."""

import pytest
from django import forms

from fund_portal.forms import ListSelect

CHOICES = [
    ("", "—"),
    ("a", 'A & <b>"'),
    (1, "Một"),
    ("Nhóm", [("x", "Xã"), ("y", "Thôn")]),
]


@pytest.mark.parametrize("value", [None, "", "a", "1", 1, "y", ["a", "x"], "unknown"])
@pytest.mark.parametrize("attrs", [None, {"id": "id_group", "class": "wide", "required": True}])
def test_list_select_renders_as_djangos_select(value, attrs):
    ours = ListSelect(attrs=attrs, choices=CHOICES).render("group", value)
    assert ours == forms.Select(attrs=attrs, choices=CHOICES).render("group", value)
    assert "<option" in ours


def test_the_childrens_filter_form_uses_it_for_every_choice():
    from children.forms.registry import ChildFilterForm

    form = ChildFilterForm(groups=[("01", "Mồ côi")])
    selects = [name for name, field in form.fields.items() if isinstance(field, forms.ChoiceField)]
    assert selects and all(isinstance(form.fields[name].widget, ListSelect) for name in selects)
