"""The admin's import and export of children (django-import-export). Mixed into `ChildAdmin`."""


class ChildImportExportAdminMixin:
    pass
