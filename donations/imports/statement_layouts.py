"""How each bank writes its account statement export (sao kê tài khoản), as data.

A layout names the columns of the table (each field with the header texts the bank uses, compared
folded: case and diacritics ignored), the words of its preamble that introduce the account number,
currency and period, and the words of the rows below the table that are not transactions (totals,
balances). The reader, `donations.imports.statements`, finds the table's header row by the
required columns of one of these layouts.

Sources. Published descriptions of these exports are few: a guide to reading Vietnamese statements
(billsai.cc, "How to read Vietnamese bank statements") gives Vietcombank's columns (Ngày GD, Số CT,
Mô tả, Phát sinh Nợ/Có, Số dư), BIDV's single signed "Số tiền" with "Diễn giải", and Techcombank's
bilingual headers; open-source statement parsers agree on Vietcombank's and Techcombank's separate
debit and credit columns with a running balance. The rest is written from what each bank's online
banking (the business service's "Sao kê tài khoản" / "Account statement" export) is known to
export; each such layout says so. Every alias list also holds the English header the bank's English
interface uses, so a statement exported in English reads as well.
"""

from __future__ import annotations

from dataclasses import dataclass

#: What every statement table must have to be read: a date, money in and a description.
REQUIRED = ("booked_on", "description")
#: Rows whose first words (any cell) say they are not a transaction: totals and balances.
SUMMARY_WORDS = (
    "Tổng số",
    "Tổng cộng",
    "Tổng phát sinh",
    "Cộng phát sinh",
    "Số dư đầu kỳ",
    "Số dư cuối kỳ",
    "Số dư đầu",
    "Số dư cuối",
    "Total",
    "Opening balance",
    "Closing balance",
    "Beginning balance",
    "Ending balance",
)
#: Preamble labels shared by all banks; a layout adds its own.
ACCOUNT_LABELS = ("Số tài khoản", "Tài khoản", "Số TK", "Account number", "Account No", "Account")
CURRENCY_LABELS = ("Loại tiền", "Đơn vị tiền", "Tiền tệ", "Currency", "Loại tiền tệ")
PERIOD_LABELS = ("Từ ngày", "Kỳ sao kê", "Thời gian", "From date", "Period", "Statement period")


@dataclass(frozen=True)
class Layout:
    """One bank's statement export: its name and NAPAS BIN, its columns' headers and preamble words."""

    bank: str
    bin: str
    booked_on: tuple[str, ...]
    description: tuple[str, ...]
    credit: tuple[str, ...] = ()
    debit: tuple[str, ...] = ()
    #: One signed column instead of credit and debit: negative is money out.
    amount: tuple[str, ...] = ()
    bank_ref: tuple[str, ...] = ()
    balance: tuple[str, ...] = ("Số dư", "Balance")
    #: Words of the preamble that say which bank's export this is (the title is the same for all).
    markers: tuple[str, ...] = ()
    account_labels: tuple[str, ...] = ACCOUNT_LABELS
    currency_labels: tuple[str, ...] = CURRENCY_LABELS
    period_labels: tuple[str, ...] = PERIOD_LABELS

    def columns(self) -> dict[str, tuple[str, ...]]:
        """Each field's header texts, the fields this layout does not have left out."""
        wanted = {
            "booked_on": self.booked_on,
            "credit": self.credit,
            "debit": self.debit,
            "amount": self.amount,
            "description": self.description,
            "bank_ref": self.bank_ref,
            "balance": self.balance,
        }
        return {name: aliases for name, aliases in wanted.items() if aliases}


LAYOUTS = (
    # Published columns (see the docstring); the "Số bút toán" of its online banking's CSV export,
    # and the "Số tham chiếu" of its VCB Digibiz export.
    Layout(
        bank="Vietcombank",
        bin="970436",
        booked_on=("Ngày giao dịch", "Ngày GD", "Transaction date", "Date"),
        credit=("Số tiền ghi có", "Phát sinh Có", "Ghi có", "Credit", "Credit amount"),
        debit=("Số tiền ghi nợ", "Phát sinh Nợ", "Ghi nợ", "Debit", "Debit amount"),
        description=("Nội dung chi tiết", "Mô tả", "Nội dung", "Description", "Transactions in detail"),
        bank_ref=("Số bút toán", "Số tham chiếu", "Số CT", "Reference No", "Reference"),
        markers=("Vietcombank", "Ngoại thương", "VCB"),
    ),
    # Published: one signed amount and "Diễn giải" (see the docstring); the reference column's name
    # is from BIDV iBank / SmartBanking's export as known, not published.
    Layout(
        bank="BIDV",
        bin="970418",
        booked_on=("Ngày hiệu lực", "Ngày giao dịch", "Ngày GD", "Effective date", "Transaction date"),
        amount=("Số tiền", "Số tiền giao dịch", "Amount"),
        credit=("Ghi có", "Số tiền ghi có", "Credit"),
        debit=("Ghi nợ", "Số tiền ghi nợ", "Debit"),
        description=("Diễn giải", "Mô tả", "Nội dung", "Description", "Narrative"),
        bank_ref=("Số tham chiếu", "Mã giao dịch", "Số GD", "Reference", "Transaction No"),
        markers=("BIDV", "Đầu tư và Phát triển"),
    ),
    # Not published: from VietinBank iPay / eFAST's "Lịch sử giao dịch" export as known.
    Layout(
        bank="VietinBank",
        bin="970415",
        booked_on=("Ngày giao dịch", "Ngày hạch toán", "Transaction date", "Date"),
        credit=("Có", "Ghi có", "Số tiền ghi có", "Credit"),
        debit=("Nợ", "Ghi nợ", "Số tiền ghi nợ", "Debit"),
        description=("Nội dung giao dịch", "Diễn giải", "Nội dung", "Description"),
        bank_ref=("Số giao dịch", "Số tham chiếu", "Transaction No", "Reference"),
        markers=("VietinBank", "Công thương"),
    ),
    # Not published: from Agribank E-Mobile Banking / Agribank Plus's export as known.
    Layout(
        bank="Agribank",
        bin="970405",
        booked_on=("Ngày giao dịch", "Ngày GD", "Ngày", "Transaction date"),
        credit=("Phát sinh có", "Số tiền ghi có", "Ghi có", "Credit"),
        debit=("Phát sinh nợ", "Số tiền ghi nợ", "Ghi nợ", "Debit"),
        description=("Nội dung", "Diễn giải", "Description"),
        bank_ref=("Số chứng từ", "Mã giao dịch", "Số bút toán", "Reference"),
        markers=("Agribank", "Nông nghiệp và Phát triển Nông thôn"),
    ),
    # Published: bilingual headers (see the docstring), debit and credit apart with a running
    # balance; the exact header texts are those of Techcombank Business's export as known.
    Layout(
        bank="Techcombank",
        bin="970407",
        booked_on=("Ngày giao dịch", "Ngày giao dịch/Transaction date", "Transaction date", "Date"),
        credit=("Ghi có", "Có/Credit", "Số tiền ghi có", "Credit"),
        debit=("Ghi nợ", "Nợ/Debit", "Số tiền ghi nợ", "Debit"),
        description=("Diễn giải", "Diễn giải/Description", "Nội dung", "Description"),
        bank_ref=("Mã GD", "Số giao dịch", "Số giao dịch/Transaction No", "Transaction No", "Reference"),
        balance=("Số dư", "Số dư/Balance", "Balance"),
        markers=("Techcombank", "Kỹ Thương"),
    ),
    # Published: "matches Vietcombank's closely" (see the docstring); the header texts are those of
    # MB Bank's and BIZ MBBank's export as known.
    Layout(
        bank="MB",
        bin="970422",
        booked_on=("Ngày giao dịch", "Ngày GD", "Transaction date"),
        credit=("Số tiền ghi có", "Phát sinh có", "Ghi có", "Credit"),
        debit=("Số tiền ghi nợ", "Phát sinh nợ", "Ghi nợ", "Debit"),
        description=("Nội dung", "Diễn giải", "Description"),
        bank_ref=("Mã giao dịch", "Số bút toán", "Số tham chiếu", "Reference"),
        markers=("MB Bank", "MBBank", "Quân đội", "Military"),
    ),
    # Not published: from ACB Online / ACB ONE's export as known (one signed amount column).
    Layout(
        bank="ACB",
        bin="970416",
        booked_on=("Ngày hiệu lực", "Ngày giao dịch", "Effective date", "Transaction date"),
        amount=("Số tiền", "Amount"),
        credit=("Ghi có", "Tiền gửi vào", "Credit"),
        debit=("Ghi nợ", "Tiền rút ra", "Debit"),
        description=("Nội dung giao dịch", "Mô tả", "Nội dung", "Description"),
        bank_ref=("Số GD", "Số giao dịch", "Transaction No", "Reference"),
        markers=("ACB", "Á Châu", "Asia Commercial"),
    ),
    # Not published: from Sacombank iBanking / eBanking Business's export as known.
    Layout(
        bank="Sacombank",
        bin="970403",
        booked_on=("Ngày giao dịch", "Ngày GD", "Transaction date"),
        credit=("Gửi vào", "Ghi có", "Credit"),
        debit=("Rút ra", "Ghi nợ", "Debit"),
        description=("Nội dung", "Diễn giải", "Description"),
        bank_ref=("Số bút toán", "Mã giao dịch", "Số tham chiếu", "Reference"),
        markers=("Sacombank", "Sài Gòn Thương Tín"),
    ),
    # Not published: from VPBank NEO / VPBank NEOBiz's export as known.
    Layout(
        bank="VPBank",
        bin="970432",
        booked_on=("Ngày giao dịch", "Ngày hạch toán", "Transaction date", "Posting date"),
        credit=("Số tiền ghi có", "Ghi có", "Credit"),
        debit=("Số tiền ghi nợ", "Ghi nợ", "Debit"),
        description=("Mô tả", "Nội dung", "Diễn giải", "Description"),
        bank_ref=("Mã giao dịch", "Số tham chiếu", "Transaction ID", "Reference"),
        markers=("VPBank", "Việt Nam Thịnh Vượng"),
    ),
    # Not published: from TPBank eBank / Biz's export as known (one signed amount column).
    Layout(
        bank="TPBank",
        bin="970423",
        booked_on=("Ngày giao dịch", "Ngày GD", "Transaction date"),
        amount=("Số tiền", "Số tiền giao dịch", "Amount"),
        credit=("Ghi có", "Credit"),
        debit=("Ghi nợ", "Debit"),
        description=("Mô tả", "Nội dung", "Diễn giải", "Description"),
        bank_ref=("Mã giao dịch", "Số tham chiếu", "Reference"),
        markers=("TPBank", "Tiên Phong"),
    ),
)

#: The portal's own statement template (first row the header), and the names banks share, tried last.
TEMPLATE = Layout(
    bank="",
    bin="",
    booked_on=("Ngày giao dịch", "Ngày", "Ngày hạch toán", "Transaction date", "Date"),
    amount=("Số tiền", "Amount"),
    credit=("Số tiền ghi có", "Ghi có", "Credit"),
    debit=("Số tiền ghi nợ", "Ghi nợ", "Debit"),
    description=("Nội dung", "Nội dung chuyển khoản", "Diễn giải", "Mô tả", "Description"),
    bank_ref=("Mã giao dịch", "Số tham chiếu", "Số bút toán", "Reference"),
)
