"""Writes of the fund's money, one module per noun: donations (posting, reversal), disbursements
(maker-checker), stock, donors, pledges, one-day-salary drives, bank statements (reconciliation),
receipt and voucher numbers, edits of entered records, and the checks they share.

Each rule of Decree 93/2019 that the portal enforces lives in one of them: receipt numbers are gapless
per fund and year; posted entries are never edited (a reversal corrects them); spending never
exceeds the available balance of the money it draws on; whoever enters a disbursement cannot
approve it, nor can anyone who edited it; stock never goes negative. Import from the noun module
(`from donations.services.donations import donation_post`); this package has no facade.
"""
