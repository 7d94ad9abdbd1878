"""申请编号: date, division, a random part from `secrets`, a check character that catches a mistyped number."""

import datetime

from applications import tracking


def test_the_number_has_its_parts_and_checks_itself():
    number = tracking.new_number(datetime.date(2026, 1, 15), "511602")
    assert number.startswith("20260115511602") and len(number) == 23
    assert tracking.is_well_formed(number)
    for position in range(len(number)):
        for other in "0A":
            if number[position] != other:
                changed = number[:position] + other + number[position + 1:]
                assert not tracking.is_well_formed(changed), changed  # one wrong character is caught
    assert tracking.grouped(number).split(" ")[:2] == ["20260115", "511602"]


def test_numbers_are_not_repeated_or_guessable():
    numbers = {tracking.new_number(datetime.date(2026, 1, 15), "511602") for _ in range(2000)}
    assert len(numbers) == 2000
    assert len({n[14:16] for n in numbers}) > 300  # the random part spreads over the alphabet


def test_a_department_without_a_division_code_gets_zeros():
    assert tracking.new_number(datetime.date(2026, 1, 15), "")[8:14] == "000000"
