"""Code validators, on real codes taken from data/catalog/guangan_items.csv and on textbook examples."""

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import uscc

from catalog.codes import CodeStatus
from catalog.validators import (
    check_basic_code,
    check_credit_code,
    check_division_code,
    check_implementation_code,
    check_resident_id,
    is_valid_organisation_code,
    judge_credit_code,
    judge_implementation_code,
    organisation_code_check_digit,
)

# Department codes from the real list: these pass GB 32100 and the embedded GB 11714 check.
REAL_VALID_CREDIT_CODES = [
    "11511301008778183N",  # 区经信局
    "115113016823646795",  # 区行政审批局
    "11511301MB051073XA",  # 区市监局
    "11511301008778386B",
]
# ... and these are what the real list also contains.
REAL_BROKEN_CREDIT_CODES = {
    "1151130000877869M": "18位",  # 17 characters (区公安分局's item codes)
    "1151130108778239R_6391": "18位",  # a suffix glued on
    "3908858105265704960": "18位",  # 19 digits
    "11511301452259996u": "大写",  # lower-case letter
}


@pytest.mark.parametrize("code", REAL_VALID_CREDIT_CODES)
def test_real_credit_codes_pass(code):
    assert check_credit_code(code) is None
    assert judge_credit_code(code).status == CodeStatus.VALID


@pytest.mark.parametrize(("code", "fragment"), REAL_BROKEN_CREDIT_CODES.items())
def test_real_broken_credit_codes_are_flagged(code, fragment):
    error = check_credit_code(code)
    assert error and fragment in error


def test_credit_code_check_digit_error():
    code = "11511301008778183N"
    wrong = code[:-1] + ("P" if code[-1] != "P" else "Q")
    assert "校验位" in check_credit_code(wrong)


def test_embedded_organisation_code_is_checked_where_stdnum_is_not():
    # Build a code whose GB 32100 check digit is right but whose organisation-code part (chars 9–17) is wrong:
    # python-stdnum accepts it, we must not.
    assert organisation_code_check_digit("12345678") == "8"
    body = "91510100" + "12345678" + "0"  # organisation code 12345678-0: wrong check digit
    code = body + uscc.calc_check_digit(body)
    assert uscc.is_valid(code), "stdnum does not look at the embedded organisation code"
    assert "GB 11714" in check_credit_code(code)
    fixed = "91510100" + "123456788"
    assert check_credit_code(fixed + uscc.calc_check_digit(fixed)) is None


@pytest.mark.parametrize("code", ["083372204", "00877868-5", "74468656X"])
def test_real_organisation_codes_are_recognised_but_not_credit_codes(code):
    assert is_valid_organisation_code(code)
    verdict = judge_credit_code(code)
    assert verdict.status == CodeStatus.UNCHECKED
    assert "组织机构代码" in verdict.message


def test_broken_organisation_code_from_real_list():
    assert judge_credit_code("130501003").status == CodeStatus.INVALID


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        ("11010519491231002X", True),  # GB 11643 standard's example
        ("511602200003071238", True),  # 广安区, born 2000
        ("511602199003071232", False),  # 广安区 did not exist in 1990: stdnum checks the region by date
        ("11010519491231002Y", False),
        ("110105194912310021", False),  # wrong check digit
        ("110105194902300020", False),  # 30 February
    ],
)
def test_resident_id(number, valid):
    assert (check_resident_id(number) is None) is valid


@pytest.mark.parametrize(
    ("code", "valid"),
    [("511602", True), ("511602000000", True), ("51", False), ("999999", False), ("5116020000001", False)],
)
def test_division_code(code, valid):
    assert (check_division_code(code) is None) is valid


def test_basic_code_type_digits_must_agree():
    assert check_basic_code("000100100100", "01") is None
    assert "不一致" in check_basic_code("000200100100", "01")
    assert "12位" in check_basic_code("511A0138000000")


def test_national_implementation_code():
    credit = "115113016823646795"
    good = credit + "4" + "000100100100"
    assert len(good) == 31
    assert check_implementation_code(good, "01") is None
    assert judge_implementation_code(good, "01").status == CodeStatus.VALID
    assert "部门代码" in check_implementation_code("115113016823646790" + "4" + "000100100100", "01")
    assert "基本编码" in check_implementation_code(credit + "4" + "000200100100", "01")
    assert "层级" in check_implementation_code(credit + "9" + "000100100100", "01")


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("511Z07001006-511602000000-000-11511301008778183N-1-00", CodeStatus.UNCHECKED),
        ("G-000007-001-511602000000-000-115113010833722043-1-00", CodeStatus.UNCHECKED),
        ("511Z07001006-511602000000-000-11736-1-00", CodeStatus.INVALID),  # 区交通运输局's 5-character code
        ("512B0053300006-511602000000-000-083372204-1-00", CodeStatus.UNCHECKED),
        ("513A0011200068-511602000000-000-1151130000877869M-1-00", CodeStatus.INVALID),
    ],
)
def test_sichuan_codes_are_kept_and_classified(code, status):
    verdict = judge_implementation_code(code)
    assert verdict.status == status


@given(st.text(max_size=40))
def test_judges_never_crash_and_never_rewrite(value):
    original = str(value)
    judge_implementation_code(value)
    judge_credit_code(value)
    assert value == original


def test_catalog_entry_code_verdict_is_shown_not_enforced(db):
    from catalog.models import CatalogEntry

    good = CatalogEntry.objects.create(basic_code="000100100100", name="示例", item_type="01")
    regional = CatalogEntry.objects.create(basic_code="511A0138000000", name="地方", item_type="01")
    assert good.code_verdict == "已校验"
    assert "12位" in regional.code_verdict
    assert CatalogEntry.objects.get(pk=regional.pk).basic_code == "511A0138000000"


@pytest.mark.parametrize("value", ["119999199001010012", "1101051949123100\n2", "11010519491231 002"])
def test_resident_ids_that_stdnum_trips_on_are_refused_not_raised(value):
    assert check_resident_id(value)


def test_a_credit_code_that_stdnum_cannot_map_is_refused_not_raised():
    assert check_credit_code("9151160\nMA6234X07D")
