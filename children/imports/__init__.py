"""Spreadsheet import and export of the children registry, on the shared base `fund_portal.imports`:
`children` (the commune's list of children, checked first, then all rows or none), reading the file's
rows in `child_rows` (with their communes and villages in `child_places`, the words the file is written
in in `child_words`), the database side in `child_load`; and `child_export` (the template, and the
export with its reason, logged). Import from the noun module; this package has no facade.
"""
