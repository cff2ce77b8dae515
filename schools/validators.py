"""Validators of Russian organisation identifiers (used by the model, the forms and the import)."""

from django.core.exceptions import ValidationError

INN_WEIGHTS = (2, 4, 10, 3, 5, 9, 4, 6, 8)


def inn_check_digit(first_nine: str) -> str:
    """Check digit of a legal entity's ИНН (order of the ФНС on the ИНН structure)."""
    return str(sum(int(d) * w for d, w in zip(first_nine, INN_WEIGHTS, strict=True)) % 11 % 10)


def ogrn_check_digit(first_twelve: str) -> str:
    """Check digit of an ОГРН: the first twelve digits modulo 11, last digit of the remainder."""
    return str(int(first_twelve) % 11 % 10)


def validate_inn(value: str) -> None:
    if not (len(value) == 10 and value.isdigit()):
        raise ValidationError(f"ИНН «{value}» должен состоять из 10 цифр.")
    if inn_check_digit(value[:9]) != value[9]:
        raise ValidationError(f"ИНН {value}: неверное контрольное число.")


def validate_ogrn(value: str) -> None:
    if not (len(value) == 13 and value.isdigit()):
        raise ValidationError(f"ОГРН «{value}» должен состоять из 13 цифр.")
    if ogrn_check_digit(value[:12]) != value[12]:
        raise ValidationError(f"ОГРН {value}: неверное контрольное число.")
