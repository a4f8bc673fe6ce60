from auditlog.registry import auditlog

from .models import BankAccount, Disbursement, Donation, Donor, Fund, LedgerEntry, Pledge, StockItem

for model in (Fund, BankAccount, Donor, Donation, Disbursement, StockItem, LedgerEntry, Pledge):
    auditlog.register(model)
