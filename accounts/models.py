"""Users of the portal: one role each, scoped to a region, a municipality or a school."""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models


class Role(models.TextChoices):
    DEPARTMENT = "department", "Управление образования"
    REGION = "region", "Региональный уровень"
    METHODOLOGIST = "methodologist", "Методический центр"
    CURATOR = "curator", "Куратор"
    DIRECTOR = "director", "Руководитель школы"
    TEACHER = "teacher", "Учитель"


# What each role must be attached to; checked in User.clean() and in the services.
ROLE_SCOPE_FIELDS: dict[str, tuple[str, ...]] = {
    Role.DEPARTMENT: ("municipality",),
    Role.REGION: ("region",),
    Role.METHODOLOGIST: ("municipality",),
    Role.CURATOR: ("municipality",),
    Role.DIRECTOR: ("school",),
    Role.TEACHER: ("school",),
}


class User(AbstractUser):
    role = models.CharField("роль", max_length=20, choices=Role.choices, blank=True)
    middle_name = models.CharField("отчество", max_length=150, blank=True)
    position = models.CharField("должность", max_length=200, blank=True)
    region = models.ForeignKey(
        "schools.Region", on_delete=models.PROTECT, null=True, blank=True, related_name="users", verbose_name="регион"
    )
    municipality = models.ForeignKey(
        "schools.Municipality",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name="муниципалитет",
    )
    school = models.ForeignKey(
        "schools.School", on_delete=models.PROTECT, null=True, blank=True, related_name="users", verbose_name="школа"
    )
    curated_schools = models.ManyToManyField(
        "schools.School", blank=True, related_name="curators", verbose_name="курируемые школы"
    )

    class Meta:
        verbose_name = "пользователь"
        verbose_name_plural = "пользователи"

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.last_name, self.first_name, self.middle_name) if part)

    def clean(self) -> None:
        super().clean()
        if not self.role:
            return
        missing = [field for field in ROLE_SCOPE_FIELDS[self.role] if getattr(self, f"{field}_id") is None]
        if missing:
            labels = ", ".join(str(self._meta.get_field(f).verbose_name) for f in missing)
            raise ValidationError(f"Для роли «{self.get_role_display()}» нужно указать: {labels}.")
