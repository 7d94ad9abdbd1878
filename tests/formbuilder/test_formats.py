"""The formats' fast tests never accept what catalog's validators refuse, and accept the valid codes they see."""

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from catalog.validators import check_credit_code, check_division_code, check_resident_id
from formbuilder import formats

PLACES = sorted(formats._birth_places())
_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def _with_id_check(body: str) -> str:
    check = (1 - 2 * int(body, 13)) % 11
    return body + ("X" if check == 10 else str(check))


@st.composite
def resident_ids(draw):
    place = draw(st.one_of(st.sampled_from(PLACES), st.from_regex(r"[0-9]{6}", fullmatch=True)))
    born = draw(st.dates(date(1900, 1, 1), date(2030, 12, 31)))
    body = f"{place}{born:%Y%m%d}{draw(st.integers(0, 999)):03d}"
    number = _with_id_check(body)
    mutation = draw(st.sampled_from(["none", "check", "day", "lower"]))
    if mutation == "check":
        number = number[:-1] + draw(st.sampled_from("0123456789X"))
    elif mutation == "day":
        number = number[:12] + "31" + number[14:]
    elif mutation == "lower":
        number = number.lower()
    return number


@settings(max_examples=2000, deadline=None)
@given(resident_ids())
def test_resident_id_format_agrees_with_catalog(number):
    assert formats.conforms("cn-resident-id", number) == (check_resident_id(number) is None)


def test_the_fast_resident_id_test_takes_the_common_case():
    born = date(1980, 1, 1)
    for day in range(0, 3000, 7):
        number = _with_id_check(f"110105{born + timedelta(days=day):%Y%m%d}123")
        assert formats._fast_resident_id(number) and check_resident_id(number) is None


@st.composite
def credit_codes(draw):
    body = draw(st.from_regex(r"[0-9]{8}[0-9A-HJ-NPQRTUWXY]{8}", fullmatch=True))
    from catalog.validators import organisation_code_check_digit

    body += draw(st.sampled_from([organisation_code_check_digit(body[8:16]), "0", "X"]))
    total = sum(_ALPHABET.index(c) * w for c, w in zip(body, formats._CREDIT_WEIGHTS, strict=True))
    code = body + draw(st.sampled_from([_ALPHABET[(31 - total) % 31], "0", "Y"]))
    return code if draw(st.booleans()) else code[:-1] + draw(st.sampled_from(_ALPHABET))


@settings(max_examples=2000, deadline=None)
@given(credit_codes())
def test_credit_code_format_agrees_with_catalog(code):
    assert formats.conforms("cn-credit-code", code) == (check_credit_code(code) is None)


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.from_regex(r"[0-9]{6}", fullmatch=True), st.from_regex(r"[0-9]{12}", fullmatch=True),
                 st.sampled_from(["511602", "511602000000", "110000", "511602001000"]), st.text(max_size=13)))
def test_division_code_format_agrees_with_catalog(code):
    expected = check_division_code(code) is None and code.isascii() and code == code.strip()
    assert formats.conforms("cn-division-code", code) == expected


def test_codes_are_kept_as_the_standard_writes_them():
    assert not formats.conforms("cn-resident-id", "１１０１０５１９４９１２３１００２Ｘ")
    assert not formats.conforms("cn-mobile", " 13812345678")
    assert formats.conforms("cn-mobile", 13812345678)  # a number is the schema's `type` to refuse
