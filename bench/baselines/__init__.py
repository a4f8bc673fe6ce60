"""The baselines the fast imports are measured against: django-import-export resources for the same
spreadsheets (the library the issue names as the yardstick)."""
