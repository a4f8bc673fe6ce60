"""Spreadsheet imports of the donations app, one module per noun, on the shared base
`fund_portal.imports`: donations (the flow and its template; the file's rows in `donation_rows`,
the database side in `donation_load`), donors, bank statements (reading the file; matching and
posting is `donations.services.statements`), and the payments of a one-day-salary drive. Import
from the noun module; this package has no facade.
"""
