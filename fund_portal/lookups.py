"""Lookups of our own, registered on the text fields when the core app is ready.

`folded_contains`: the words found in a column that has no folded copy, with or without diacritics and
in either case ("nguyen van an" finds "NGUYỄN VĂN AN"). On PostgreSQL it compares the column folded in
SQL (`FOLD_SQL`), which a trigram index of the same expression serves; elsewhere it is the regular
expression of `folded_pattern`.
"""

from __future__ import annotations

from django.db.models import CharField, Lookup, TextField
from django.db.models.lookups import Regex

from .text import _VIETNAMESE_LETTERS, fold, folded_pattern

_LETTERS = _VIETNAMESE_LETTERS + _VIETNAMESE_LETTERS.upper()
_BASES = "".join(fold(letter) for letter in _LETTERS)
assert len(_BASES) == len(_LETTERS)

#: The column folded in SQL as `fold` folds in Python: lower case, each Vietnamese letter its base letter
#: (composed or upper case: `translate`), combining marks dropped (text stored decomposed). Every
#: function in it is immutable, so an index can hold it; a migration that indexes it writes it out.
FOLD_SQL = f"regexp_replace(translate(lower(%s), '{_LETTERS}', '{_BASES}'), '[\u0300-\u036f]', '', 'g')"


class FoldedContains(Lookup):
    lookup_name = "folded_contains"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        return Regex(self.lhs, folded_pattern(self.rhs)).as_sql(compiler, connection)

    def as_postgresql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        words = connection.ops.prep_for_like_query(fold(self.rhs))
        return f"{FOLD_SQL % lhs} LIKE %s", (*params, f"%{words}%")


def register() -> None:
    CharField.register_lookup(FoldedContains)
    TextField.register_lookup(FoldedContains)
