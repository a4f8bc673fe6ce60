"""VietQR payloads, their SVG rendering, and transfer references found in bank statement lines."""

import random
import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from donations.vietqr import (
    REFERENCE_ALPHABET,
    crc16_ccitt_false,
    emv_crc,
    find_reference,
    find_references,
    is_transfer_reference,
    make_transfer_reference,
    normalize_reference_text,
    parse_emv,
    vietqr_payload,
    vietqr_svg,
)

# Complete VietQR payloads published by others, each with the inputs that produce it.
PUBLISHED = [
    pytest.param(
        # liopayvn/vietqr-php README (NAPAS QR Switching spec v1.5.2 IBFT example, Vietcombank).
        {"bank_bin": "970436", "account_number": "1017595600", "amount": 180000},
        "thanh toan don hang",
        "00020101021238540010A00000072701240006970436011010175956000208QRIBFTTA"
        "530370454061800005802VN62230819thanh toan don hang630470FA",
        id="liopay-napas-vcb",
    ),
    pytest.param(
        # subiz/vietqr README (VietinBank, "ủng hộ lũ lụt" sent without diacritics).
        {"bank_bin": "970415", "account_number": "0011001932418", "amount": 120000},
        "ung ho lu lut",
        "00020101021238570010A00000072701270006970415011300110019324180208QRIBFTTA"
        "530370454061200005802VN62170813ung ho lu lut6304C15C",
        id="subiz-vietinbank",
    ),
    pytest.param(
        # subiz/vietqr README, MB Bank: a 19-character account and a 25-character description.
        {"bank_bin": "970422", "account_number": "0023457923442ASDFLJ", "amount": 40123},
        "chuyen khoan alsdkf laksj",
        "00020101021238630010A0000007270133000697042201190023457923442ASDFLJ0208QRIBFTTA"
        "53037045405401235802VN62290825chuyen khoan alsdkf laksj6304E5DB",
        id="subiz-mb-max-lengths",
    ),
    pytest.param(
        # vietnam_qr_pay (Ruby port of xuannghia/vietnam-qr-pay) README, ACB dynamic.
        {"bank_bin": "970416", "account_number": "257678859", "amount": 10000},
        "Chuyen tien",
        "00020101021238530010A0000007270123000697041601092576788590208QRIBFTTA"
        "53037045405100005802VN62150811Chuyen tien630453E6",
        id="vietnam-qr-pay-acb-dynamic",
    ),
    pytest.param(
        # Same README, ACB static: no amount, no description.
        {"bank_bin": "970416", "account_number": "257678859", "amount": None},
        "",
        "00020101021138530010A0000007270123000697041601092576788590208QRIBFTTA53037045802VN6304AE9F",
        id="vietnam-qr-pay-acb-static",
    ),
    pytest.param(
        # subiz/vietqr README, TPBank static.
        {"bank_bin": "970423", "account_number": "0099999999", "amount": None},
        "",
        "00020101021138540010A00000072701240006970423011000999999990208QRIBFTTA53037045802VN6304CBB4",
        id="subiz-tpbank-static",
    ),
    pytest.param(
        # KienlongBank KPAY SDK README: a payload returned by the bank's own payment API.
        {"bank_bin": "970452", "account_number": "10372212086747084", "amount": 123},
        "TT Don hang 123456",
        "00020101021238610010A000000727013100069704520117103722120867470840208QRIBFTTA"
        "530370454031235802VN62220818TT Don hang 12345663046352",
        id="kienlongbank-api",
    ),
]

# A payload from another generator with an extra, unreserved field (80): parse_emv must still read it.
MOMO_PAYLOAD = (
    "00020101021138620010A00000072701320006970454011899MM24011M348750800208QRIBFTTA"
    "53037045802VN62190515MOMOW2W3487508080030466304EBC8"
)

VALID = {
    "bank_bin": "970436",
    "account_number": "1017595600",
    "amount": 500000,
    "reference": "QBTTE7K2M9XQ4",
}


# --------------------------------------------------------------------------------------------
# CRC
# --------------------------------------------------------------------------------------------


def test_crc_matches_the_standard_check_value():
    assert crc16_ccitt_false(b"123456789") == 0x29B1


def test_crc_of_nothing_is_the_initial_value():
    assert crc16_ccitt_false(b"") == 0xFFFF


def test_emv_crc_is_four_uppercase_hex_digits():
    assert emv_crc("123456789") == "29B1"
    assert re.fullmatch(r"[0-9A-F]{4}", emv_crc("00020101021153037045802VN6304"))


# --------------------------------------------------------------------------------------------
# Payload: against published examples and one built by hand
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("inputs", "reference", "expected"), PUBLISHED)
def test_payload_matches_published_example(inputs, reference, expected):
    assert vietqr_payload(**inputs, reference=reference) == expected


@pytest.mark.parametrize(("inputs", "reference", "expected"), PUBLISHED)
def test_published_examples_parse_and_their_crc_checks(inputs, reference, expected):
    data = parse_emv(expected)
    assert data["38"]["01"] == {"00": inputs["bank_bin"], "01": inputs["account_number"]}
    assert data.get("54") == (None if inputs["amount"] is None else str(inputs["amount"]))
    assert data.get("62", {}).get("08", "") == reference


def test_payload_matches_one_built_by_hand_field_by_field():
    beneficiary = "00" + "06" + "970418" + "01" + "12" + "123456789012"  # BIDV BIN, account
    assert len(beneficiary) == 26
    merchant_account = "00" + "10" + "A000000727" + "01" + "26" + beneficiary + "02" + "08" + "QRIBFTTA"
    assert len(merchant_account) == 56
    body = "".join(
        [
            "00" + "02" + "01",  # payload format indicator
            "01" + "02" + "12",  # point of initiation: dynamic (an amount is set)
            "38" + "56" + merchant_account,
            "53" + "03" + "704",  # currency: VND
            "54" + "07" + "2500000",  # amount
            "58" + "02" + "VN",  # country
            "62" + "24" + "08" + "20" + "QBTTE7K2M9XQ4 UNG HO",  # additional data: purpose of transaction
            "63" + "04",  # CRC, which covers its own ID and length
        ]
    )
    expected = body + "FE15"  # CRC-16/CCITT-FALSE of body, computed separately

    assert (
        vietqr_payload(
            bank_bin="970418",
            account_number="123456789012",
            amount=2_500_000,
            reference="QBTTE7K2M9XQ4 UNG HO",
        )
        == expected
    )


def test_round_trip_of_a_dynamic_payload():
    payload = vietqr_payload(**VALID)

    assert parse_emv(payload) == {
        "00": "01",
        "01": "12",
        "38": {"00": "A000000727", "01": {"00": "970436", "01": "1017595600"}, "02": "QRIBFTTA"},
        "53": "704",
        "54": "500000",
        "58": "VN",
        "62": {"08": "QBTTE7K2M9XQ4"},
        "63": payload[-4:],
    }


def test_static_payload_without_amount_keeps_the_reference():
    data = parse_emv(vietqr_payload(**{**VALID, "amount": None}))

    assert data["01"] == "11"
    assert "54" not in data
    assert data["62"] == {"08": "QBTTE7K2M9XQ4"}


def test_empty_reference_leaves_out_the_additional_data():
    assert "62" not in parse_emv(vietqr_payload(**{**VALID, "reference": ""}))


def test_merchant_name_and_city_are_added_in_id_order():
    payload = vietqr_payload(**VALID, merchant_name="QUY BAO TRO TRE EM", merchant_city="HA NOI")
    data = parse_emv(payload)

    assert data["59"] == "QUY BAO TRO TRE EM"
    assert data["60"] == "HA NOI"
    assert list(data) == ["00", "01", "38", "53", "54", "58", "59", "60", "62", "63"]


def test_fields_come_in_ascending_id_order_with_crc_last():
    ids = list(parse_emv(vietqr_payload(**VALID)))
    assert ids == sorted(ids)
    assert ids[-1] == "63"


def test_largest_amount_is_13_digits():
    assert parse_emv(vietqr_payload(**{**VALID, "amount": 9_999_999_999_999}))["54"] == "9999999999999"


def test_letters_in_account_number_are_kept():
    # Wallet and virtual accounts routed through a bank (e.g. MoMo via BVBank) contain letters.
    payload = vietqr_payload(**{**VALID, "bank_bin": "970454", "account_number": "99MM24011M34875080"})
    assert parse_emv(payload)["38"]["01"] == {"00": "970454", "01": "99MM24011M34875080"}


# --------------------------------------------------------------------------------------------
# Payload: input validation
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"bank_bin": "97043"}, "BIN must be exactly 6 digits"),
        ({"bank_bin": "9704366"}, "BIN must be exactly 6 digits"),
        ({"bank_bin": "97O436"}, "BIN must be exactly 6 digits"),
        ({"bank_bin": "٩٧٠٤٣٦"}, "BIN must be exactly 6 digits"),  # Arabic-Indic digits are not ASCII
        ({"bank_bin": 970436}, "BIN must be exactly 6 digits"),
        ({"account_number": ""}, "account number must be 1 to 19"),
        ({"account_number": "1" * 20}, "account number must be 1 to 19"),
        ({"account_number": "1017 5956 00"}, "account number must be 1 to 19"),
        ({"account_number": "1017-595600"}, "account number must be 1 to 19"),
        ({"account_number": "Đ1017595600"}, "account number must be 1 to 19"),
        ({"amount": 0}, "amount must be positive"),
        ({"amount": -50000}, "amount must be positive"),
        ({"amount": 10**13}, "at most 13 digits"),
        ({"amount": 1.5}, "whole number of dong"),
        ({"amount": 100000.0}, "whole number of dong"),
        ({"amount": Decimal("100000")}, "whole number of dong"),
        ({"amount": "100000"}, "whole number of dong"),
        ({"amount": True}, "whole number of dong"),
        ({"reference": "A" * 26}, "at most 25 characters"),
        ({"reference": "ủng hộ quỹ"}, "ASCII letters, digits and spaces"),
        ({"reference": "QBTTE-7K2M"}, "ASCII letters, digits and spaces"),
        ({"reference": "QBTTE7K2M9XQ4\n"}, "ASCII letters, digits and spaces"),
        ({"reference": " QBTTE7K2M9XQ4"}, "must not start or end with a space"),
        ({"reference": None}, "reference must be a string"),
        ({"merchant_city": "Hà Nội"}, "printable ASCII"),
        ({"merchant_city": "THANH PHO HO CHI MINH"}, "at most 15 characters"),
        ({"merchant_name": "QUY BAO TRO TRE EM VIET NAM"}, "at most 25 characters"),
    ],
)
def test_invalid_input_is_rejected_with_a_clear_message(change, message):
    with pytest.raises(ValueError, match=message):
        vietqr_payload(**{**VALID, **change})


# --------------------------------------------------------------------------------------------
# parse_emv
# --------------------------------------------------------------------------------------------


def test_parse_reads_fields_it_does_not_know():
    data = parse_emv(MOMO_PAYLOAD)

    assert data["80"] == "046"
    assert data["62"] == {"05": "MOMOW2W34875080"}
    assert data["38"]["01"] == {"00": "970454", "01": "99MM24011M34875080"}


def test_parse_rejects_a_wrong_crc():
    payload = vietqr_payload(**VALID)
    tampered = payload.replace("500000", "900000")

    with pytest.raises(ValueError, match="CRC mismatch"):
        parse_emv(tampered)
    assert parse_emv(tampered, verify_crc=False)["54"] == "900000"


def test_parse_accepts_a_lowercase_crc():
    payload = vietqr_payload(**VALID)
    assert parse_emv(payload[:-4] + payload[-4:].lower())["53"] == "704"


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ("", "non-empty"),
        ("000201010212", "must end with a CRC field"),
        ("0002010102", "truncated"),
        ("0002010X0212", "Malformed"),
        ("000201000201", "appears twice"),
        ("00020138040005", "template 38 is truncated"),  # the template holds a broken field
        ("000201620300X", "Malformed EMV data in template 62"),
    ],
)
def test_parse_rejects_malformed_payloads(payload, message):
    with pytest.raises(ValueError, match=message):
        parse_emv(payload, verify_crc=message == "must end with a CRC field")


# --------------------------------------------------------------------------------------------
# SVG
# --------------------------------------------------------------------------------------------


def test_svg_is_inline_xml_with_a_path_viewbox_and_accessible_name():
    svg = vietqr_svg(vietqr_payload(**VALID))

    assert svg.startswith("<svg")  # no XML declaration: it goes straight into the HTML
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert re.fullmatch(r"0 0 \d+ \d+", root.get("viewBox"))
    assert root.get("role") == "img"
    assert root.get("aria-label") == "VietQR bank transfer code"
    paths = root.findall("{http://www.w3.org/2000/svg}path")
    assert len(paths) == 1
    assert paths[0].get("d").startswith("M")
    assert paths[0].get("id") is None  # no fixed id to clash when a page shows several codes


def test_svg_has_a_white_background_for_dark_pages():
    root = ET.fromstring(vietqr_svg(vietqr_payload(**VALID)))
    assert root.find("{http://www.w3.org/2000/svg}rect").get("fill") == "white"


def test_svg_label_can_be_translated_and_is_escaped():
    root = ET.fromstring(vietqr_svg("000201", label='Mã QR chuyển khoản "Quỹ" <1>'))
    assert root.get("aria-label") == 'Mã QR chuyển khoản "Quỹ" <1>'


def test_svg_grows_with_the_payload():
    def size(svg: str) -> int:
        return int(ET.fromstring(svg).get("viewBox").split()[2])

    short = vietqr_svg(vietqr_payload(**{**VALID, "amount": None, "reference": ""}))
    long = vietqr_svg(vietqr_payload(**{**VALID, "reference": "QBTTE7K2M9XQ4 UNG HO QUY"}))
    assert size(short) < size(long)


def test_svg_rejects_an_empty_payload():
    with pytest.raises(ValueError, match="non-empty"):
        vietqr_svg("")


# --------------------------------------------------------------------------------------------
# Transfer references
# --------------------------------------------------------------------------------------------


def test_reference_alphabet_has_no_ambiguous_characters():
    assert not set("0O1IL") & set(REFERENCE_ALPHABET)
    assert len(set(REFERENCE_ALPHABET)) == len(REFERENCE_ALPHABET) == 31


def test_made_reference_is_prefix_and_eight_unambiguous_characters_with_a_digit():
    for _ in range(200):
        reference = make_transfer_reference()
        assert re.fullmatch(rf"QBTTE[{REFERENCE_ALPHABET}]{{8}}", reference)
        assert re.search(r"[0-9]", reference[5:])


def test_made_references_are_unique():
    references = {make_transfer_reference() for _ in range(5000)}
    assert len(references) == 5000


def test_made_references_use_the_whole_alphabet():
    seen = set("".join(make_transfer_reference()[5:] for _ in range(500)))
    assert seen == set(REFERENCE_ALPHABET)


def test_made_reference_fits_in_a_vietqr_payload():
    reference = make_transfer_reference()
    assert parse_emv(vietqr_payload(**{**VALID, "reference": reference}))["62"]["08"] == reference


def test_made_reference_with_custom_prefix():
    assert re.fullmatch(rf"UH2025[{REFERENCE_ALPHABET}]{{8}}", make_transfer_reference(prefix="UH2025"))


def test_every_made_reference_has_the_shape_of_a_reference():
    assert all(is_transfer_reference(make_transfer_reference()) for _ in range(200))
    assert is_transfer_reference(make_transfer_reference(prefix="Q" * 17))


@pytest.mark.parametrize(
    "text", ["", "QBTTE", "Q" * 8, "qbtte7k2m9xq4", "QBTTE 7K2M9XQ4", "QBTTĐ7K2M9XQ4", "Q" * 26]
)
def test_what_no_reference_looks_like_is_refused(text):
    assert not is_transfer_reference(text)


@pytest.mark.parametrize("prefix", ["", "qbtte", "QB TTE", "QBTTĐ", "Q" * 18])
def test_bad_prefix_is_rejected(prefix):
    with pytest.raises(ValueError, match="prefix"):
        make_transfer_reference(prefix=prefix)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("qbtte 7k2m 9xq4", "QBTTE7K2M9XQ4"),
        ("QBTTE-7K2M-9XQ4.", "QBTTE7K2M9XQ4"),
        ("Đặng Thị Đào ủng hộ quỹ", "DANGTHIDAOUNGHOQUY"),
        ("Quỹ Bảo trợ trẻ em: ƯỚC MƠ!", "QUYBAOTROTREEMUOCMO"),
        ("ĐĐđđ", "DDDD"),
        ("ＱＢＴＴＥ７Ｋ２Ｍ", "QBTTE7K2M"),  # full-width forms typed on some phone keyboards
        ("  \t\n—…  ", ""),
    ],
)
def test_normalize_reference_text(text, expected):
    assert normalize_reference_text(text) == expected


def test_normalize_handles_decomposed_vietnamese_input():
    # macOS and some keyboards send base letters followed by combining marks.
    assert normalize_reference_text("u\u031b\u0301ng ho\u0302\u0323") == "UNGHO"


@pytest.mark.parametrize(
    "description",
    [
        "CT DEN:123 NGUYEN VAN A chuyen khoan qbtte 7k2m 9xq4 ung ho quy",
        "QBTTE7K2M9XQ4",
        "qbtte7k2m9xq4",
        "QBTTE 7K2M 9XQ4",
        "QBTTE-7K2M-9XQ4",
        "q b t t e 7 k 2 m 9 x q 4",
        "MBVCB.3278123.QBTTE7K2M9XQ4.CT tu 0011001932418 NGUYEN VAN A toi 1017595600 QUY BAO TRO",
        "Nguyễn Văn Ánh ủng hộ quỹ QBTTE7K2M9XQ4 đợt 1 năm 2025",
        "ủng hộ QBTTE 7K2M 9XQ4 cho các cháu",
        "ủng hộqbtte7k2m9xq4đợt một",  # run together with the words around it
        "IBFT QBTTE7K2M9XQ4ungho",
        "ＱＢＴＴＥ７Ｋ２Ｍ９ＸＱ４",
        "ung ho QBTTE QBTTE7K2M9XQ4",  # prefix typed twice
        "QBTTE7K2M9XQ4X",  # one stray character glued on
    ],
)
def test_reference_is_found(description):
    assert find_reference(description) == "QBTTE7K2M9XQ4"


@pytest.mark.parametrize(
    "description",
    [
        "",
        "CT DEN:0123456789 NGUYEN VAN A chuyen khoan ung ho quy bao tro tre em",
        "Ủng hộ các cháu vùng lũ đợt 2 năm 2025 - Đặng Thị Đào",
        "QBTTE",  # the prefix alone
        "QBTTE 7K2M",  # code too short
        "QBTTE chuyen khoan",  # words after the prefix: CHUYENKH has no digit
        "QBTTE HANG THANG",
        "QBTTE ung ho quy",
        "QBTTE 7K2M 9XO4",  # O is not in the alphabet
        "QBTTE 7K2M 9X14",  # nor is 1
        "QBTTE 7K2M 9XL4",  # nor L
        "QBTT 7K2M 9XQ4",  # prefix misspelt
        "ABCDE7K2M9XQ4",
    ],
)
def test_no_reference_is_found(description):
    assert find_reference(description) is None
    assert find_references(description) == []


def test_no_false_positive_in_random_statement_text():
    words = (
        "ung ho quy bao tro tre em chuyen khoan CT DEN tu toi NGUYEN VAN THI DANG QBTT 2025 "
        "MBVCB IBFT FT VCB BIDV ACB thang nam dot lu lut mien trung Ủng hộ Đợt các cháu"
    ).split()
    rng = random.Random(20250601)
    for _ in range(2000):
        description = " ".join(rng.choice(words) for _ in range(rng.randint(1, 15)))
        assert find_reference(description) is None, description


def test_made_references_survive_what_senders_do_to_them():
    rng = random.Random(42)
    for _ in range(500):
        reference = make_transfer_reference()
        typed = ""
        for char in reference:
            typed += char.lower() if rng.random() < 0.5 else char
            if rng.random() < 0.2:
                typed += rng.choice([" ", "-", ".", "  "])
        description = (
            f"{rng.choice(['Ủng hộ', 'CT DEN:123', 'MBVCB.99'])} {typed} {rng.choice(['đợt 1', '', 'quỹ'])}"
        )
        assert find_reference(description) == reference, description


def test_two_references_the_first_one_wins():
    description = "QBTTE7K2M9XQ4 va QBTTE3H4J5K6M"

    assert find_reference(description) == "QBTTE7K2M9XQ4"
    assert find_references(description) == ["QBTTE7K2M9XQ4", "QBTTE3H4J5K6M"]


def test_whole_word_reference_beats_one_run_together_with_a_word():
    description = "ung hoQBTTE3H4J5K6Mdot 1, ma QBTTE7K2M9XQ4"

    assert find_reference(description) == "QBTTE7K2M9XQ4"
    assert find_references(description) == ["QBTTE7K2M9XQ4", "QBTTE3H4J5K6M"]


def test_the_same_reference_twice_is_listed_once():
    assert find_references("QBTTE7K2M9XQ4 QBTTE 7K2M 9XQ4") == ["QBTTE7K2M9XQ4"]


def test_find_reference_with_custom_prefix():
    assert find_reference("ung ho uh2025 7k2m 9xq4", prefix="UH2025") == "UH20257K2M9XQ4"
    assert find_reference("ung ho QBTTE7K2M9XQ4", prefix="UH2025") is None


def test_reference_read_back_from_the_qr_code_is_found():
    reference = make_transfer_reference()
    purpose = parse_emv(vietqr_payload(**{**VALID, "reference": f"{reference} UNG HO"}))["62"]["08"]
    assert find_reference(purpose) == reference
