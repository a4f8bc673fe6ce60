"""The admin's list rows, made with less work per cell: the same HTML as Django's `items_for_result`.

A page of 100 children took about 30 ms of CPU in Django's row rendering alone (each of its 900 cells
looks its field up again, asks for the empty value's text, builds and escapes its HTML through
`format_html`, and renders the selection checkbox as a form widget), more than the rest of the list's
work. Here each column is looked at once a page: its field, its classes, whether it links to the
record; each distinct value of a column is displayed once (`display_for_field`, Django's own, memoised
per column); the checkbox is rendered once with stand-ins and each row's id and label put in. A row
comes out as one string.

Only lists made of the model's own fields (and Django's selection checkbox) take this path; any other
column (a method, a callable, a lookup through a relation), an editable list, a popup or a `to_field`
list is rendered by Django's code as before. `tests/fund_portal/test_admin_rows.py` checks that every
admin list of the portal that takes this path gives Django's HTML, character for character.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.admin import ModelAdmin
from django.contrib.admin.templatetags.admin_list import results as django_results
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import display_for_field, display_for_value
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db import models
from django.urls import NoReverseMatch
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe

from fund_portal.admin import ScopedAdminMixin

_CHECKBOX = "action_checkbox"
#: The row checkboxes known to show the row's id and text and nothing else of it.
_CHECKBOXES = (ModelAdmin.action_checkbox, ScopedAdminMixin.action_checkbox)
#: Fields whose value Django's list shows as its text (no choices, not a link, not a number or a date).
_TEXT_FIELDS = (models.CharField, models.TextField, models.EmailField, models.SlugField)
_PK_MARK, _LABEL_MARK = "\x00pk\x00", "\x00label\x00"


class _StandIn:
    """What Django's checkbox reads of a row (its id and its text), as marks to put each row's in."""

    pk = _PK_MARK

    def __str__(self) -> str:
        return _LABEL_MARK


class _Column:
    """One column of the page: its field, its opening tag and how a value of it is shown."""

    def __init__(self, cl, field: models.Field, name: str, *, link: bool, first_link: bool):
        self.field, self.name, self.link = field, name, link
        self.is_relation = isinstance(field.remote_field, models.ManyToOneRel)
        classes = f"field-{name}"
        if isinstance(field, (models.DateField, models.TimeField, models.ForeignKey)):
            classes += " nowrap"
        self.tag = "th" if first_link else "td"
        self.open = f'<{self.tag} class="{classes}">'
        self.empty = cl.model_admin.get_empty_value_display()
        self.is_text = type(field) in _TEXT_FIELDS and not field.flatchoices
        self.shown: dict = {}

    def html(self, result) -> str:
        value = getattr(result, self.name)
        if self.is_relation:
            return self.empty if value is None else conditional_escape(value)
        if self.is_text:  # what display_for_field does with a text field without choices
            return self.empty if value in self.field.empty_values else escape(value)
        try:
            key = (type(value), value)
            return self.shown[key]
        except KeyError:
            pass
        except TypeError:  # a value that cannot be a key (a list, a dict): shown each time
            return conditional_escape(display_for_field(value, self.field, self.empty, avoid_link=self.link))
        shown = conditional_escape(display_for_field(value, self.field, self.empty, avoid_link=self.link))
        self.shown[key] = shown
        return shown


class _MethodColumn:
    """A column the model admin computes (a method, as `@admin.display`): its value is the row's own, so
    only the lookup, the classes and the empty text are done once a page; shown as Django shows it."""

    def __init__(self, cl, name: str, *, link: bool, first_link: bool):
        self.name, self.link = name, link
        self.attr = getattr(cl.model_admin, name)
        self.admin_empty = cl.model_admin.get_empty_value_display()
        self.empty = getattr(self.attr, "empty_value_display", self.admin_empty)
        self.boolean = getattr(self.attr, "boolean", False)
        self.tag = "th" if first_link else "td"
        self.open = f'<{self.tag} class="field-{name}">'
        self.open_nowrap = f'<{self.tag} class="field-{name} nowrap">'

    def cell(self, result) -> tuple[str, str]:
        """The opening tag (a date or a time does not wrap) and the value's HTML."""
        try:
            value = self.attr(result)
        except ObjectDoesNotExist:  # as Django: the admin's empty text, not the column's own
            return self.open, conditional_escape(self.admin_empty)
        shown = conditional_escape(display_for_value(value, self.empty, self.boolean))
        return self.open_nowrap if isinstance(value, (dt.date, dt.time)) else self.open, shown


def _method_column(cl, name: str) -> bool:
    """Whether `name` is a method of the model admin that Django would call for each row (and not a
    field, which `lookup_field` takes first, nor `__str__`)."""
    return name != "__str__" and callable(getattr(cl.model_admin, name, None))


def _columns(cl) -> list[_Column] | None:
    """The page's columns, or None when one of them needs Django's own rendering."""
    if cl.formset or cl.is_popup or cl.to_field or not cl.list_display_links:
        return None  # (Django links the first column, even the checkbox, when the links are empty)
    links = cl.list_display_links
    columns, linked = [], False
    for index, name in enumerate(cl.list_display):
        if name == _CHECKBOX and index == 0:
            if type(cl.model_admin).action_checkbox not in _CHECKBOXES:
                return None
            columns.append(_CHECKBOX)
            continue
        if not isinstance(name, str):
            return None
        try:
            field = cl.lookup_opts.get_field(name)
        except FieldDoesNotExist:
            if not _method_column(cl, name):
                return None
            link = name in links
            columns.append(_MethodColumn(cl, name, link=link, first_link=link and not linked))
            linked = linked or link
            continue
        if field.auto_created or not field.concrete or field.many_to_many or field.name != name:
            return None
        link = name in links
        columns.append(_Column(cl, field, name, link=link, first_link=link and not linked))
        linked = linked or link
    return columns


def _checkbox_parts(cl) -> list[str]:
    html = cl.model_admin.action_checkbox(_StandIn())
    before, rest = html.split(_PK_MARK) if html.count(_PK_MARK) == 1 else (None, None)
    if before is None or rest.count(_LABEL_MARK) > 1:
        raise ValueError("the selection checkbox does not show the row's id once")
    return [before, *rest.split(_LABEL_MARK)]


def _row(cl, result, columns, checkbox: list[str]) -> str:
    cells = []
    for column in columns:
        if column == _CHECKBOX:
            label = escape(str(result)) if len(checkbox) == 3 else ""
            box = f"{checkbox[0]}{escape(str(result.pk))}{checkbox[1]}{label}{''.join(checkbox[2:])}"
            cells.append(f'<td class="action-checkbox">{box}</td>')
            continue
        if isinstance(column, _MethodColumn):
            opening, shown = column.cell(result)
        else:
            opening, shown = column.open, column.html(result)
        if column.link:
            try:
                url = cl.url_for_result(result)
            except NoReverseMatch:
                pass
            else:
                if cl.preserved_filters:
                    context = {"preserved_filters": cl.preserved_filters, "opts": cl.opts}
                    url = add_preserved_filters(context, url)
                shown = f'<a href="{escape(url)}">{shown}</a>'
        cells.append(f"{opening}{shown}</{column.tag}>")
    return "".join(cells)


class Row(list):
    """A row as the results template reads it (`result.form`, its cells): here one cell, the whole row."""

    form = None


def results(cl) -> list:
    """The rows of the page for `change_list_results.html`: the lean way when every column allows it,
    Django's otherwise."""
    columns = _columns(cl)
    if columns is None:
        return list(django_results(cl))
    try:
        checkbox = _checkbox_parts(cl) if _CHECKBOX in columns else []
    except ValueError:
        return list(django_results(cl))
    return [Row([mark_safe(_row(cl, result, columns, checkbox))]) for result in cl.result_list]
