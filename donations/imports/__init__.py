"""Spreadsheet imports of the donations app, one module per noun, on the shared base
`fund_portal.imports`: bank statements (reading the file), the payments of a one-day-salary drive.
Import from the noun module; this package has no facade.
"""
