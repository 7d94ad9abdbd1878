"""申请编号: the day (8 digits), the department's division code (6 digits), 8 random characters and a check
character. The random part comes from `secrets` (31^8 ≈ 8.5 × 10^11 a day and division), so a number cannot be
guessed from another; the check character (GB 32100's scheme over the whole number) catches a mistyped one."""

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, S, V, Z: not confused with 1, 0, 5, U, 2
RANDOM_LENGTH = 8
PATTERN = re.compile(rf"[0-9]{{14}}[{ALPHABET}]{{{RANDOM_LENGTH + 1}}}")


def check_character(body: str) -> str:
    total = sum(ALPHABET.index(c) * pow(3, i, 31) for i, c in enumerate(body))
    return ALPHABET[(31 - total % 31) % 31]


def new_number(day, division_code: str) -> str:
    region = (division_code or "")[:6]
    region = region if len(region) == 6 and region.isdigit() else "000000"
    body = day.strftime("%Y%m%d") + region + "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
    return body + check_character(body)


def is_well_formed(number: str) -> bool:
    return bool(PATTERN.fullmatch(number or "")) and check_character(number[:-1]) == number[-1]


def grouped(number: str) -> str:
    """For reading aloud at a window: 20260115 511602 7KQ3 M9TX R."""
    if len(number) != 8 + 6 + RANDOM_LENGTH + 1:
        return number
    random = number[14:22]
    return f"{number[:8]} {number[8:14]} {random[:4]} {random[4:]} {number[22:]}"
