"""The fund's models, by sub-domain (Decree 93/2019/NĐ-CP on social and charity funds).

Every model is imported here, so `from donations.models import X` works and Django finds them all.
Every write goes through the services (`donations.services.<noun>`).
"""

from .common import Edited, Medium, NeedArea, Restricted, RestrictionKind, SourceCategory
from .disbursements import Disbursement, DisbursementEdit, DisbursementStatus, RecipientKind
from .donations import Donation, DonationKind, DonationQuerySet, DonationStatus
from .donors import DisplayPreference, Donor, DonorKind
from .drives import DriveAgency, SalaryDrive
from .funds import BankAccount, Fund
from .ledger import (
    CampaignRaised,
    DocumentCounter,
    DocumentSeries,
    DonationDay,
    DonorMonth,
    DonorYear,
    EntryKind,
    EntryLink,
    HonourRollYear,
    LedgerEntry,
    LedgerEntryQuerySet,
    LedgerMonth,
    PostedDonorMonth,
)
from .pledges import Pledge
from .statements import (
    BankFeedDelivery,
    BankStatement,
    BankStatementLine,
    FeedOutcome,
    StatementLayoutMapping,
    StatementLineSource,
    StatementLineStatus,
)
from .stock import StockItem, StockMovement

__all__ = [
    "CampaignRaised",
    "DonationDay",
    "DonorMonth",
    "PostedDonorMonth",
    "DonorYear",
    "HonourRollYear",
    "SourceCategory",
    "NeedArea",
    "RestrictionKind",
    "Medium",
    "Edited",
    "Restricted",
    "Fund",
    "BankAccount",
    "DonorKind",
    "DisplayPreference",
    "Donor",
    "DonationKind",
    "DonationStatus",
    "DonationQuerySet",
    "Donation",
    "DocumentSeries",
    "DocumentCounter",
    "EntryKind",
    "LedgerEntryQuerySet",
    "LedgerEntry",
    "EntryLink",
    "LedgerMonth",
    "RecipientKind",
    "DisbursementStatus",
    "Disbursement",
    "DisbursementEdit",
    "StockItem",
    "StockMovement",
    "BankStatement",
    "StatementLineStatus",
    "BankStatementLine",
    "StatementLineSource",
    "StatementLayoutMapping",
    "FeedOutcome",
    "BankFeedDelivery",
    "Pledge",
    "SalaryDrive",
    "DriveAgency",
]
