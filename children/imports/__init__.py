"""Spreadsheet import and export of the children registry: `children` (the commune's list of children,
checked first, then all rows or none; the export with its reason, logged)."""
