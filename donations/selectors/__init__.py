"""Reads of the fund's money, one module per noun: balances, donations, donors, funds, pledges,
drives, the ledger's month check, and the public disclosure (transparency). Import from the noun
module; this package has no facade.
"""
