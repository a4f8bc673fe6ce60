"""The reports' small district (its children, support, money) serves every paper's test."""

from tests.reports.conftest import district, kinds  # noqa: F401  fixtures shared with the reports' tests
