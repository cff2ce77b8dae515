"""Menu entries of the partnerships app (core.extensions)."""

from django.urls import reverse

from accounts.models import Role
from partnerships.selectors import can_manage_agreements


def nav_items(user) -> list[tuple[str, str, str]]:
    if can_manage_agreements(user):
        return [("Партнёрство", reverse("partnerships:supported_list"), "bi-people")]
    if user.is_superuser or user.role in (Role.REGION, Role.METHODOLOGIST, Role.CURATOR, Role.DIRECTOR):
        return [("Договоры о сотрудничестве", reverse("partnerships:agreement_list"), "bi-people")]
    return []
