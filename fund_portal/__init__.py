"""The core of the portal: administrative units, accounts and roles, scope and authority, and the helpers
every app shares (money, PDFs, spreadsheets, the cache, the audit trail). It imports no domain app."""
