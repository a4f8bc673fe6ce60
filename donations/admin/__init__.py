"""District staff run the fund in the admin, one module per noun; every write goes through the
services (`donations.services.<noun>`). The submodules are imported here so their registrations run.
"""

from . import (  # noqa: F401  registers the admin classes
    bank_feed,
    disbursements,
    donations,
    donors,
    drives,
    funds,
    ledger,
    pledges,
    statement_mapping,
    statements,
    stock,
)
