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


GROUPS_ALL = [("01", "Mồ côi"), ("13", "Nhiễm HIV")]
GROUPS_LESS = [("01", "Mồ côi")]


@pytest.mark.parametrize(
    "data",
    [
        None,
        {},
        {"q": "an"},
        {"group": "13", "poverty": "poor"},
        {"need": "health", "review": "pending", "min_age": "3", "max_age": "5"},
        {"min_age": "abc", "max_age": "99", "group": "nope"},
        {"group": "01", "q": "nguyen"},
    ],
)
@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_filters_drawn_once_are_the_filters_drawn_afresh(data, language):
    """`filters_html` gives what the fields' template draws, whatever was drawn before it."""
    from django.template.loader import render_to_string
    from django.utils import translation

    from children.forms import registry

    with translation.override(language):
        for groups in (GROUPS_ALL, GROUPS_LESS, GROUPS_ALL):
            form = registry.ChildFilterForm(data, groups=groups)
            kept = form.filters_html()
            again = registry.ChildFilterForm(data, groups=groups)
            fresh = render_to_string("children/_filter_fields.html", {"form": again})
            assert kept == fresh
            assert ('value="13"' in kept) == (groups is GROUPS_ALL)
            assert ("Household" in kept) == (language == "en")


def test_the_filters_drawn_are_kept_for_a_bounded_number_of_forms():
    from children.forms import registry

    for age in range(registry.FILTERS_HTML_MOST + 20):
        registry.ChildFilterForm({"min_age": str(age)}, groups=GROUPS_LESS).filters_html()
    assert 0 < len(registry._FILTERS_HTML) <= registry.FILTERS_HTML_MOST


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("2012-09-05", "05/09/2012"),
        ("0999-01-02", "02/01/0999"),
        ("2026-12-31T17:30:00+00:00", "01/01/2027"),
        ("2026-12-31T17:30:00", "31/12/2026"),
        (None, ""),
        ("", ""),
    ],
)
def test_dmy_writes_what_the_short_date_format_writes(value, shown, settings):
    """`dmy` is `date:"SHORT_DATE_FORMAT"` (dd/mm/yyyy, Asia/Ho_Chi_Minh) at less cost, in both languages."""
    import datetime as dt

    from django.template import Context, Template
    from django.utils import translation

    if value and "T" in value:
        value = dt.datetime.fromisoformat(value)
    elif value:
        value = dt.date.fromisoformat(value)
    for language in ("vi", "en"):
        with translation.override(language):
            ours = Template("{{ value|dmy }}").render(Context({"value": value}))
            django = Template('{{ value|date:"SHORT_DATE_FORMAT" }}').render(Context({"value": value}))
            assert ours == shown == django


@pytest.mark.parametrize("pk", [1, 42, 918273645546372818, 10**17])
def test_reverse_with_id_is_reverse(pk):
    from django.urls import reverse

    from fund_portal.links import reverse_with_id

    assert reverse_with_id("children:detail", pk) == reverse("children:detail", args=[pk])
    assert reverse_with_id("children:incident_detail", pk) == reverse("children:incident_detail", args=[pk])


def test_reverse_with_id_follows_the_script_prefix():
    from django.urls import reverse, set_script_prefix

    from fund_portal.links import reverse_with_id

    try:
        set_script_prefix("/quy/")
        assert (
            reverse_with_id("children:detail", 7)
            == reverse("children:detail", args=[7])
            == "/quy/portal/children/7/"
        )
    finally:
        set_script_prefix("/")
    assert reverse_with_id("children:detail", 7) == "/portal/children/7/"
