"""Spreadsheet import and export of the children registry, on the shared base `fund_portal.imports`:
`children` (the commune's list of children, checked first, then all rows or none; the file's rows in
`child_rows`, the database side in `child_load`), and `child_export` (the template and the export with
its reason, logged). Import from the noun module; this package has no facade.
"""
