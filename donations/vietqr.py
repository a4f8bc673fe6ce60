"""VietQR (NAPAS 247) transfer QR codes and bank-transfer reference matching.

A VietQR code is an EMVCo Merchant-Presented Mode QR payload (EMV QRCPS) whose merchant
account information template (ID "38") carries the NAPAS GUID, the beneficiary bank's BIN
and account number and the service code "QRIBFTTA" (inter-bank fund transfer to account).
Any Vietnamese banking app can scan it and pre-fill the transfer form: beneficiary, amount
and transfer description (the "purpose of transaction", sub-ID "08" of template "62").

The description is how an incoming transfer is tied to a pending donation: each donation
gets a short reference (``make_transfer_reference``) that goes into the QR code, and the
bank statement line is searched for it (``find_reference``), tolerating what senders and
banks do to it (lowercase, spaces or dashes inside, diacritics and other words around).
"""

import io
import itertools
import re
import secrets
import unicodedata
import xml.etree.ElementTree as ET

import qrcode
import qrcode.constants
from qrcode.image.pil import PilImage
from qrcode.image.svg import SvgPathFillImage

from fund_portal.text import is_digits

# EMVCo / NAPAS constants.
PAYLOAD_FORMAT_INDICATOR = "01"
POINT_OF_INITIATION_STATIC = "11"
POINT_OF_INITIATION_DYNAMIC = "12"
NAPAS_GUID = "A000000727"
SERVICE_TRANSFER_TO_ACCOUNT = "QRIBFTTA"
CURRENCY_VND = "704"  # ISO 4217 numeric
COUNTRY_VIETNAM = "VN"  # ISO 3166-1 alpha-2

# Top-level IDs that are templates (their value is itself a list of ID-length-value fields).
_TEMPLATE_IDS = ("38", "62")

MAX_REFERENCE_LENGTH = 25  # purpose of transaction in NAPAS VietQR
MAX_AMOUNT_DIGITS = 13  # EMVCo transaction amount, ID "54"
MAX_MERCHANT_NAME_LENGTH = 25  # EMVCo ID "59"
MAX_MERCHANT_CITY_LENGTH = 15  # EMVCo ID "60"

_BIN_RE = re.compile(r"[0-9]{6}")
_ACCOUNT_RE = re.compile(r"[A-Za-z0-9]{1,19}")
_REFERENCE_RE = re.compile(r"[A-Za-z0-9 ]*")
_PRINTABLE_ASCII_RE = re.compile(r"[ -~]*")

# Transfer references: no 0/O, 1/I/L, which people misread or mistype.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
REFERENCE_CODE_LENGTH = 8
DEFAULT_REFERENCE_PREFIX = "QBTTE"
_REFERENCE_DIGITS = frozenset(REFERENCE_ALPHABET) & frozenset("0123456789")
_PREFIX_RE = re.compile(r"[A-Z0-9]+")

# Letters that Unicode decomposition does not reduce to ASCII: the Vietnamese đ and its look-alikes.
_D_LETTERS = str.maketrans({"đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "ɖ": "d", "Ɖ": "D"})
_NON_ALNUM_RE = re.compile(r"[^A-Z0-9]+")

type EmvTree = dict[str, str | EmvTree]


# --------------------------------------------------------------------------------------------
# EMVCo encoding
# --------------------------------------------------------------------------------------------


def crc16_ccitt_false(data: bytes) -> int:
    """Return the CRC-16/CCITT-FALSE of data (poly 0x1021, init 0xFFFF, no reflection, no xor-out)."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
            crc &= 0xFFFF
    return crc


def emv_crc(text: str) -> str:
    """Return the EMVCo CRC of text (which must already end with "6304") as 4 uppercase hex digits."""
    return f"{crc16_ccitt_false(text.encode('utf-8')):04X}"


def _field(field_id: str, value: str) -> str:
    """Encode one ID-length-value data object."""
    if len(value) > 99:
        raise ValueError(f"EMV field {field_id} is {len(value)} characters long; at most 99 fit.")
    return f"{field_id}{len(value):02d}{value}"


def _validate_amount(amount: int | None) -> None:
    """Raise ValueError unless amount is None or a positive whole number of đồng of at most 13 digits."""
    if amount is None:
        return
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise ValueError(f"The amount must be a whole number of dong (int), not {type(amount).__name__}.")
    if amount <= 0:
        raise ValueError("The amount must be positive.")
    if len(str(amount)) > MAX_AMOUNT_DIGITS:
        raise ValueError(f"The amount must have at most {MAX_AMOUNT_DIGITS} digits.")


def _validate_text(*, value: str, what: str, max_length: int, pattern: re.Pattern[str], allowed: str) -> None:
    """Raise ValueError unless value is a str matching pattern, at most max_length long, not padded."""
    if not isinstance(value, str):
        raise ValueError(f"The {what} must be a string.")
    if len(value) > max_length:
        raise ValueError(f"The {what} must be at most {max_length} characters long (got {len(value)}).")
    if not pattern.fullmatch(value):
        raise ValueError(f"The {what} may only contain {allowed}: {value!r}.")
    if value != value.strip():
        raise ValueError(f"The {what} must not start or end with a space: {value!r}.")


def vietqr_payload(
    *,
    bank_bin: str,
    account_number: str,
    amount: int | None,
    reference: str,
    merchant_city: str = "",
    merchant_name: str = "",
) -> str:
    """Build the EMVCo payload of a VietQR code for a transfer to a bank account (NAPAS QRIBFTTA)."""
    if not isinstance(bank_bin, str) or not _BIN_RE.fullmatch(bank_bin):
        raise ValueError(
            f"The bank BIN must be exactly 6 digits (e.g. 970436 for Vietcombank): {bank_bin!r}."
        )
    if not isinstance(account_number, str) or not _ACCOUNT_RE.fullmatch(account_number):
        raise ValueError(
            f"The account number must be 1 to 19 letters or digits, without spaces: {account_number!r}."
        )
    _validate_amount(amount)
    _validate_text(
        value=reference,
        what="transfer reference",
        max_length=MAX_REFERENCE_LENGTH,
        pattern=_REFERENCE_RE,
        allowed="ASCII letters, digits and spaces (bank apps strip diacritics and punctuation)",
    )
    _validate_text(
        value=merchant_name,
        what="merchant name",
        max_length=MAX_MERCHANT_NAME_LENGTH,
        pattern=_PRINTABLE_ASCII_RE,
        allowed="printable ASCII characters (no diacritics)",
    )
    _validate_text(
        value=merchant_city,
        what="merchant city",
        max_length=MAX_MERCHANT_CITY_LENGTH,
        pattern=_PRINTABLE_ASCII_RE,
        allowed="printable ASCII characters (no diacritics)",
    )

    beneficiary = _field("00", bank_bin) + _field("01", account_number)
    merchant_account = (
        _field("00", NAPAS_GUID) + _field("01", beneficiary) + _field("02", SERVICE_TRANSFER_TO_ACCOUNT)
    )
    parts = [
        _field("00", PAYLOAD_FORMAT_INDICATOR),
        _field("01", POINT_OF_INITIATION_STATIC if amount is None else POINT_OF_INITIATION_DYNAMIC),
        _field("38", merchant_account),
        _field("53", CURRENCY_VND),
    ]
    if amount is not None:
        parts.append(_field("54", str(amount)))
    parts.append(_field("58", COUNTRY_VIETNAM))
    if merchant_name:
        parts.append(_field("59", merchant_name))
    if merchant_city:
        parts.append(_field("60", merchant_city))
    if reference:
        parts.append(_field("62", _field("08", reference)))
    body = "".join(parts) + "6304"
    return body + emv_crc(body)


# --------------------------------------------------------------------------------------------
# EMVCo decoding
# --------------------------------------------------------------------------------------------


def _parse_tlv(text: str, *, where: str) -> dict[str, str]:
    """Split a string of ID-length-value data objects into an ordered {id: value} dict."""
    fields: dict[str, str] = {}
    pos = 0
    while pos < len(text):
        header = text[pos : pos + 4]
        if len(header) < 4 or not is_digits(header):
            raise ValueError(f"Malformed EMV data in {where} at position {pos}: {text[pos : pos + 8]!r}.")
        field_id, length = header[:2], int(header[2:])
        value = text[pos + 4 : pos + 4 + length]
        if len(value) != length:
            raise ValueError(f"EMV field {field_id} in {where} is truncated (declares {length} characters).")
        if field_id in fields:
            raise ValueError(f"EMV field {field_id} appears twice in {where}.")
        fields[field_id] = value
        pos += 4 + length
    return fields


def parse_emv(payload: str, *, verify_crc: bool = True) -> EmvTree:
    """Parse an EMVCo QR payload into {id: value}, with templates 38 and 62 as nested dicts."""
    if not isinstance(payload, str) or not payload:
        raise ValueError("The EMV payload must be a non-empty string.")
    root: EmvTree = dict(_parse_tlv(payload, where="the payload"))
    if verify_crc:
        if "63" not in root or not payload.endswith("63" + "04" + str(root["63"])):
            raise ValueError("The EMV payload must end with a CRC field (ID 63, 4 characters).")
        expected = emv_crc(payload[:-4])
        if str(root["63"]).upper() != expected:
            raise ValueError(
                f"EMV CRC mismatch: the payload says {root['63']}, its content gives {expected}."
            )
    for template_id in _TEMPLATE_IDS:
        raw = root.get(template_id)
        if isinstance(raw, str):
            template: EmvTree = dict(_parse_tlv(raw, where=f"template {template_id}"))
            # In a NAPAS template, 01 (beneficiary organisation) is itself a template: 00 = BIN, 01 = account.
            beneficiary = template.get("01")
            if template_id == "38" and template.get("00") == NAPAS_GUID and isinstance(beneficiary, str):
                template["01"] = dict(_parse_tlv(beneficiary, where="template 38/01"))
            root[template_id] = template
    return root


# --------------------------------------------------------------------------------------------
# SVG and PNG rendering
# --------------------------------------------------------------------------------------------


QR_BOX_SIZE = 10  # SVG: 1 mm per module in the qrcode SVG units; PNG: pixels per module
QR_BORDER = 4  # the quiet zone the QR specification requires, in modules


def vietqr_code(payload: str, *, image_factory=None) -> qrcode.QRCode:
    """The QR code of payload, made (error correction M, version fitted); the SVG and the PNG both draw it."""
    if not isinstance(payload, str) or not payload:
        raise ValueError("The QR payload must be a non-empty string.")
    qr = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        box_size=QR_BOX_SIZE,
        border=QR_BORDER,
        image_factory=image_factory,
    )
    qr.add_data(payload)
    qr.make(fit=True)
    return qr


def vietqr_png(payload: str) -> bytes:
    """Render payload as a black-on-white PNG QR code, 10 pixels a module, quiet zone included."""
    buffer = io.BytesIO()
    vietqr_code(payload, image_factory=PilImage).make_image().save(buffer)
    return buffer.getvalue()


def vietqr_svg(payload: str, *, label: str = "VietQR bank transfer code") -> str:
    """Render payload as an inline SVG QR code (error correction M, white background, scalable viewBox)."""
    svg = vietqr_code(payload, image_factory=SvgPathFillImage).make_image().get_image()
    svg.set("role", "img")
    svg.set("aria-label", label)
    for path in svg.iter("path"):
        # The library's fixed id would be duplicated when a page shows several codes.
        path.attrib.pop("id", None)
    # Serialising to str never writes an XML declaration, so the result can be inlined in HTML.
    return ET.tostring(svg, encoding="unicode")


# --------------------------------------------------------------------------------------------
# Transfer references
# --------------------------------------------------------------------------------------------


def _validated_prefix(prefix: str) -> str:
    """Return prefix if it is 1+ uppercase ASCII letters/digits leaving room for the code, else raise."""
    if not isinstance(prefix, str) or not _PREFIX_RE.fullmatch(prefix):
        raise ValueError(f"The reference prefix must be uppercase ASCII letters and digits: {prefix!r}.")
    if len(prefix) + REFERENCE_CODE_LENGTH > MAX_REFERENCE_LENGTH:
        raise ValueError(
            f"The reference prefix must be at most {MAX_REFERENCE_LENGTH - REFERENCE_CODE_LENGTH} characters."
        )
    return prefix


def make_transfer_reference(*, prefix: str = DEFAULT_REFERENCE_PREFIX) -> str:
    """Return a new random transfer reference: prefix + 8 unambiguous characters, at least one a digit."""
    prefix = _validated_prefix(prefix)
    while True:
        code = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_CODE_LENGTH))
        # At least one digit: the code never reads as (Vietnamese) words, and find_reference relies on it.
        if not _REFERENCE_DIGITS.isdisjoint(code):
            return prefix + code


def is_transfer_reference(text: str) -> bool:
    """Whether text has the shape of a reference this module makes (canonical: uppercase, nothing around)."""
    fits = REFERENCE_CODE_LENGTH < len(text) <= MAX_REFERENCE_LENGTH
    return fits and _PREFIX_RE.fullmatch(text) is not None


def _normalized_tokens(text: str) -> list[str]:
    """Split text into uppercase ASCII alphanumeric words, with diacritics (and đ) folded away."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_D_LETTERS))
    # Drop the combining marks before splitting, so that "ủng" stays one word "UNG".
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return [token for token in _NON_ALNUM_RE.split(bare.upper()) if token]


def normalize_reference_text(text: str) -> str:
    """Fold text to uppercase ASCII letters and digits only: no diacritics (đ -> D), spaces or punctuation."""
    return "".join(_normalized_tokens(text))


def find_references(description: str, *, prefix: str = DEFAULT_REFERENCE_PREFIX) -> list[str]:
    """Return the canonical transfer references found in a bank statement description, best first."""
    prefix = normalize_reference_text(_validated_prefix(prefix))
    tokens = _normalized_tokens(description)
    text = "".join(tokens)
    word_ends = set(itertools.accumulate(len(token) for token in tokens))
    whole: list[tuple[int, int]] = []  # the code ends where a word ends: "QBTTE 7K2M-9XQ4 ung ho"
    glued: list[tuple[int, int]] = []  # the code runs on into a following word: "QBTTE7K2M9XQ4ungho"
    start = text.find(prefix)
    while start != -1:
        end = start + len(prefix) + REFERENCE_CODE_LENGTH
        code = text[start + len(prefix) : end]
        if (
            len(code) == REFERENCE_CODE_LENGTH
            and all(char in REFERENCE_ALPHABET for char in code)
            and not _REFERENCE_DIGITS.isdisjoint(code)
        ):
            (whole if end in word_ends else glued).append((start, end))
        start = text.find(prefix, start + 1)
    # A run-on match overlapping a whole-word one is an artefact of it ("QBTTE QBTTE7K2M9XQ4").
    glued = [(s, e) for s, e in glued if not any(s < we and ws < e for ws, we in whole)]
    return list(dict.fromkeys(text[s:e] for s, e in whole + glued))


# With several references in one description, find_reference returns the first one written as whole
# words; references run together with a following word only count when there is no such one.
def find_reference(description: str, *, prefix: str = DEFAULT_REFERENCE_PREFIX) -> str | None:
    """Return the first transfer reference found in a bank statement description, or None."""
    references = find_references(description, prefix=prefix)
    return references[0] if references else None
