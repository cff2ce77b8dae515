"""Writes to accounts: invite, change, deactivate, send a set-password link, assign curators.

Every service checks the rule of people.rules itself (a form is not a fence) and writes
its audit record in the same transaction. Letters go after commit, so a rolled-back invite
sends nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_encode

from accounts.models import Role, User
from core.audit import audit_record
from core.letters import letter_queue
from people.rules import managed_roles, municipalities_for_people, people_for, schools_for_people

ROLE_NOT_ALLOWED = "Вы не можете создавать учётные записи с ролью «{role}»."
OUTSIDE_SCOPE = "Учётная запись должна относиться к вашей территории: {what} вне её."
EMAIL_TAKEN = "Учётная запись с адресом {email} уже есть."
EMAIL_REQUIRED = "Укажите адрес электронной почты: на него придёт ссылка для входа."
CURATED_NEED_CURATOR = "Курируемые школы задаются только куратору."
NOT_YOURS = "Эта учётная запись вне вашего управления."
SELF_DEACTIVATE = "Нельзя отключить собственную учётную запись."


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    """Set-password links of invitations and of resets by staff: signed, single-use (the
    password hash is part of the token) and expiring after INVITATION_TIMEOUT_DAYS."""

    key_salt = "people.services.InvitationTokenGenerator"

    def check_token(self, user, token) -> bool:
        # As Django's, with this link's own lifetime instead of PASSWORD_RESET_TIMEOUT.
        if not (user and token):
            return False
        try:
            timestamp = base36_to_int(token.split("-")[0])
        except ValueError:
            return False
        for secret in [self.secret, *self.secret_fallbacks]:
            if constant_time_compare(self._make_token_with_timestamp(user, timestamp, secret), token):
                break
        else:
            return False
        lifetime = settings.INVITATION_TIMEOUT_DAYS * 24 * 3600
        return self._num_seconds(self._now()) - timestamp <= lifetime


invitation_token = InvitationTokenGenerator()


def invitation_link(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    path = reverse("people:invitation_accept", kwargs={"uidb64": uid, "token": invitation_token.make_token(user)})
    return settings.SITE_URL.rstrip("/") + path


def _queue_set_password_letter(*, user: User, invited: bool) -> None:
    """The invitation (or new-password) letter, in the outbox of the caller's transaction (core.letters):
    sent by the worker, kept when the broker is down, sent once."""
    context = {
        "user": user,
        "link": invitation_link(user),
        "days": settings.INVITATION_TIMEOUT_DAYS,
        "invited": invited,
        "site_url": settings.SITE_URL,
    }
    subject = "Приглашение в портал «Опора»" if invited else "Новый пароль для портала «Опора»"
    body = render_to_string("people/invitation_email.txt", context)
    letter_queue(
        purpose="invitation" if invited else "new_password", recipients=[user.email], subject=subject, body=body
    )


def _check_scope(*, by: User, role: str, municipality, region, school, curated) -> None:
    """The fence: a role the manager may give, and every attachment inside their territory."""
    if role not in managed_roles(by):
        raise ValidationError(ROLE_NOT_ALLOWED.format(role=Role(role).label if role in Role.values else role))
    municipalities = municipalities_for_people(by)
    if municipality is not None and not municipalities.filter(pk=municipality.pk).exists():
        raise ValidationError(OUTSIDE_SCOPE.format(what=f"муниципалитет «{municipality}»"))
    if region is not None and not by.is_superuser and region.pk != by.region_id:
        raise ValidationError(OUTSIDE_SCOPE.format(what=f"регион «{region}»"))
    schools = schools_for_people(by)
    if school is not None and not schools.filter(pk=school.pk).exists():
        raise ValidationError(OUTSIDE_SCOPE.format(what=f"школа «{school}»"))
    if curated:
        if role != Role.CURATOR:
            raise ValidationError(CURATED_NEED_CURATOR)
        outside = [s for s in curated if not schools.filter(pk=s.pk).exists()]
        if outside:
            raise ValidationError(OUTSIDE_SCOPE.format(what=f"школа «{outside[0]}»"))


def _scope_fields(*, by: User, role: str, municipality, region, school):
    """Fill the attachment a role needs from what the manager gave (and the manager's own)."""
    if role in (Role.DIRECTOR, Role.TEACHER):
        return (school.municipality if school else municipality), None, school
    if role == Role.REGION:
        return None, region or by.region, None
    municipality = municipality or (by.municipality if by.role == Role.DEPARTMENT else None)
    return municipality, None, None


def _email_taken(email: str, *, exclude: int | None = None) -> bool:
    qs = User.objects.filter(email__iexact=email) | User.objects.filter(username__iexact=email)
    if exclude:
        qs = qs.exclude(pk=exclude)
    return qs.exists()


def person_invite(
    *,
    by: User,
    email: str,
    role: str,
    last_name: str,
    first_name: str,
    middle_name: str = "",
    position: str = "",
    municipality=None,
    region=None,
    school=None,
    curated_schools: Iterable = (),
) -> User:
    """Create an account without a password and send its owner a link to set one."""
    email = (email or "").strip().lower()
    if not email:
        raise ValidationError(EMAIL_REQUIRED)
    curated = list(curated_schools)
    municipality, region, school = _scope_fields(
        by=by, role=role, municipality=municipality, region=region, school=school
    )
    _check_scope(by=by, role=role, municipality=municipality, region=region, school=school, curated=curated)
    if _email_taken(email):
        raise ValidationError(EMAIL_TAKEN.format(email=email))
    user = User(
        username=email,
        email=email,
        role=role,
        last_name=last_name.strip(),
        first_name=first_name.strip(),
        middle_name=middle_name.strip(),
        position=position.strip(),
        municipality=municipality,
        region=region,
        school=school,
    )
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    with transaction.atomic():
        user.save()
        if curated:
            user.curated_schools.set(curated)
        audit_record(
            actor=by,
            action="user.invited",
            target=user,
            municipality_id=_municipality_id(user),
            details={"role": user.get_role_display(), "email": email},
        )
        _queue_set_password_letter(user=user, invited=True)
    return user


def _municipality_id(user: User) -> int | None:
    return user.municipality_id or (user.school.municipality_id if user.school is not None else None)


def person_update(
    *,
    by: User,
    user: User,
    role: str,
    last_name: str,
    first_name: str,
    middle_name: str = "",
    position: str = "",
    municipality=None,
    region=None,
    school=None,
    curated_schools: Iterable = (),
) -> User:
    if not people_for(by).filter(pk=user.pk).exists():
        raise ValidationError(NOT_YOURS)
    curated = list(curated_schools)
    municipality, region, school = _scope_fields(
        by=by, role=role, municipality=municipality, region=region, school=school
    )
    _check_scope(by=by, role=role, municipality=municipality, region=region, school=school, curated=curated)
    before = {
        "role": user.get_role_display(),
        "school": str(user.school or "—"),
        "curated": sorted(str(s) for s in user.curated_schools.all()),
    }
    user.role, user.municipality, user.region, user.school = role, municipality, region, school
    user.last_name, user.first_name = last_name.strip(), first_name.strip()
    user.middle_name, user.position = middle_name.strip(), position.strip()
    user.full_clean(exclude=["password", "username"])
    with transaction.atomic():
        user.save()
        user.curated_schools.set(curated if role == Role.CURATOR else [])
        after = {
            "role": user.get_role_display(),
            "school": str(user.school or "—"),
            "curated": sorted(str(s) for s in curated),
        }
        changes = {key: f"{_show(before[key])} → {_show(after[key])}" for key in before if before[key] != after[key]}
        audit_record(
            actor=by, action="user.changed", target=user, municipality_id=_municipality_id(user), details=changes
        )
    return user


def _show(value) -> str:
    if isinstance(value, list):
        return ", ".join(value) or "—"
    return str(value)


def _end_sessions(user: User) -> int:
    """Delete the user's stored sessions (they are signed out at once, not at expiry)."""
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            session.delete()
            ended += 1
    return ended


def person_deactivate(*, by: User, user: User) -> User:
    """Switch an account off: it keeps its history (authored reports, reviews, audit) but can
    no longer sign in, and its open sessions end now."""
    if user.pk == by.pk:
        raise ValidationError(SELF_DEACTIVATE)
    if not people_for(by).filter(pk=user.pk).exists():
        raise ValidationError(NOT_YOURS)
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(is_active=False)
        user.is_active = False
        ended = _end_sessions(user)
        audit_record(
            actor=by,
            action="user.deactivated",
            target=user,
            municipality_id=_municipality_id(user),
            details={"sessions_ended": ended},
        )
    return user


def person_reactivate(*, by: User, user: User) -> User:
    if not people_for(by).filter(pk=user.pk).exists():
        raise ValidationError(NOT_YOURS)
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(is_active=True)
        user.is_active = True
        audit_record(actor=by, action="user.reactivated", target=user, municipality_id=_municipality_id(user))
    return user


def person_password_reset(*, by: User, user: User) -> None:
    """Send the owner a fresh set-password link; the old password stops working at once."""
    if not people_for(by).filter(pk=user.pk).exists():
        raise ValidationError(NOT_YOURS)
    if not user.email:
        raise ValidationError(EMAIL_REQUIRED)
    with transaction.atomic():
        user.set_unusable_password()
        user.save(update_fields=["password"])
        _end_sessions(user)
        audit_record(
            actor=by,
            action="user.password_reset",
            target=user,
            municipality_id=_municipality_id(user),
            details={"email": user.email},
        )
        _queue_set_password_letter(user=user, invited=False)


def curators_assign(*, by: User, municipality, assignments: dict[int, set[int]]) -> int:
    """Set which schools each curator of the municipality curates; returns links changed.

    ``assignments`` maps a curator's id to the ids of their schools; curators left out keep
    theirs. Every curator and school must be the manager's (the fence of people_for).
    """
    curators = {u.pk: u for u in people_for(by).filter(role=Role.CURATOR, municipality=municipality)}
    school_ids = set(schools_for_people(by).filter(municipality=municipality).values_list("pk", flat=True))
    unknown = [pk for pk in assignments if pk not in curators]
    if unknown:
        raise ValidationError(NOT_YOURS)
    changed = 0
    lines = {}
    with transaction.atomic():
        for pk, wanted in assignments.items():
            if not wanted <= school_ids:
                raise ValidationError(OUTSIDE_SCOPE.format(what="школа"))
            curator = curators[pk]
            current = set(curator.curated_schools.values_list("pk", flat=True))
            if current == wanted:
                continue
            curator.curated_schools.set(wanted)
            changed += len(current ^ wanted)
            lines[str(curator)] = f"было {len(current)}, стало {len(wanted)}"
        if changed:
            audit_record(
                actor=by,
                action="curators.assigned",
                municipality_id=municipality.pk,
                details=lines | {"links": changed},
            )
    return changed


# --- Bulk accounts -------------------------------------------------------------------------------


@dataclass
class BulkRow:
    """One line of a bulk creation: what happened to it and why (nothing is dropped silently)."""

    row: int
    name: str
    email: str
    outcome: str  # created | skipped | error
    reason: str = ""


@dataclass
class BulkResult:
    rows: list[BulkRow] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(1 for r in self.rows if r.outcome == outcome)

    @property
    def errors(self) -> list[BulkRow]:
        return [r for r in self.rows if r.outcome == "error"]


def _split_head_name(head_name: str) -> tuple[str, str, str]:
    parts = head_name.split()
    parts += [""] * (3 - len(parts))
    return parts[0], parts[1], " ".join(parts[2:])


def directors_from_registry(*, by: User, municipality, apply: bool) -> BulkResult:
    """A director's account for every school of the registry that has an e-mail and no director.

    With ``apply`` False nothing is written: the page shows what would happen first.
    """
    if Role.DIRECTOR not in managed_roles(by) or not municipalities_for_people(by).filter(pk=municipality.pk).exists():
        raise ValidationError(ROLE_NOT_ALLOWED.format(role=Role.DIRECTOR.label))
    result = BulkResult()
    schools = (
        schools_for_people(by)
        .filter(municipality=municipality, is_active=True)
        .order_by("organisation__name")
        .prefetch_related("users")
    )
    taken = {e.lower() for e in User.objects.exclude(email="").values_list("email", flat=True)}
    with transaction.atomic():
        for index, school in enumerate(schools, start=1):
            email = (school.organisation.email or "").strip().lower()
            name = school.organisation.display_name
            if any(u.role == Role.DIRECTOR and u.is_active for u in school.users.all()):
                result.rows.append(
                    BulkRow(index, name, email, "skipped", "у школы уже есть учётная запись руководителя")
                )
            elif not email:
                result.rows.append(BulkRow(index, name, "", "skipped", "в реестре нет адреса эл. почты школы"))
            elif email in taken:
                result.rows.append(BulkRow(index, name, email, "skipped", "адрес уже занят другой учётной записью"))
            else:
                taken.add(email)
                if apply:
                    last, first, middle = _split_head_name(school.head_name)
                    person_invite(
                        by=by,
                        email=email,
                        role=Role.DIRECTOR,
                        last_name=last,
                        first_name=first,
                        middle_name=middle,
                        position="Директор",
                        school=school,
                    )
                result.rows.append(BulkRow(index, name, email, "created"))
    return result


PEOPLE_COLUMNS = ("фамилия", "имя", "отчество", "эл. почта", "роль", "код оо", "должность")
ROLE_WORDS = {
    "руководитель": Role.DIRECTOR,
    "директор": Role.DIRECTOR,
    "учитель": Role.TEACHER,
    "педагог": Role.TEACHER,
    "куратор": Role.CURATOR,
    "методист": Role.METHODOLOGIST,
    "методический центр": Role.METHODOLOGIST,
    "управление образования": Role.DEPARTMENT,
    "региональный уровень": Role.REGION,
}
MISSING_COLUMNS = "В файле нет столбцов: {columns}. Скачайте шаблон и заполните его."


def people_import(*, by: User, fileobj, name: str, municipality) -> BulkResult:
    """Accounts from a spreadsheet (columns of PEOPLE_COLUMNS): every row is checked first;
    if any row has an error nothing is created and the page lists every error by row."""
    from core.tabular import normalise_header, read_tables

    sheets = read_tables(fileobj, name)
    sheet = sheets[0]
    rows = sheet.rows
    header_at = next((i for i, row in enumerate(rows[:10]) if "эл. почта" in {normalise_header(c) for c in row}), None)
    if header_at is None:
        raise ValidationError(MISSING_COLUMNS.format(columns="«Эл. почта»"))
    header = [normalise_header(c) for c in rows[header_at]]
    missing = [c for c in ("фамилия", "имя", "эл. почта", "роль") if c not in header]
    if missing:
        raise ValidationError(MISSING_COLUMNS.format(columns=", ".join(f"«{c}»" for c in missing)))
    col = {c: header.index(c) for c in PEOPLE_COLUMNS if c in header}
    schools = {s.code: s for s in schools_for_people(by)}
    result = BulkResult()
    planned: list[tuple[BulkRow, dict]] = []
    seen: set[str] = set()
    for offset, row in enumerate(rows[header_at + 1 :], start=header_at + 2):
        cells = {c: (row[i].strip() if i < len(row) else "") for c, i in col.items()}
        if not any(cells.values()):
            continue
        email = cells.get("эл. почта", "").lower()
        person = " ".join(p for p in (cells.get("фамилия"), cells.get("имя"), cells.get("отчество")) if p)
        line = BulkRow(offset, person, email, "created")
        role = ROLE_WORDS.get(cells.get("роль", "").lower())
        code = cells.get("код оо", "")
        school = schools.get(code) if code else None
        problems = []
        if not cells.get("фамилия") or not cells.get("имя"):
            problems.append("нужны фамилия и имя")
        if not email or "@" not in email:
            problems.append("нет адреса эл. почты")
        elif email in seen:
            problems.append("адрес повторяется в файле")
        elif _email_taken(email):
            problems.append("учётная запись с этим адресом уже есть")
        if role is None:
            problems.append(f"неизвестная роль «{cells.get('роль', '')}»")
        elif role not in managed_roles(by):
            problems.append(f"роль «{Role(role).label}» вам не подчинена")
        elif role in (Role.DIRECTOR, Role.TEACHER) and school is None:
            problems.append(f"школа с кодом «{code}» не найдена в вашем реестре" if code else "нужен код ОО")
        seen.add(email)
        if problems:
            line.outcome, line.reason = "error", "; ".join(problems)
        planned.append((line, {"role": role, "school": school, **cells, "email": email}))
        result.rows.append(line)
    if result.errors:
        for line, _ in planned:
            if line.outcome != "error":
                line.outcome, line.reason = "skipped", "файл не загружен: исправьте ошибки в других строках"
        return result
    with transaction.atomic():
        for _line, data in planned:
            person_invite(
                by=by,
                email=data["email"],
                role=data["role"],
                last_name=data.get("фамилия", ""),
                first_name=data.get("имя", ""),
                middle_name=data.get("отчество", ""),
                position=data.get("должность", ""),
                school=data["school"] if data["role"] in (Role.DIRECTOR, Role.TEACHER) else None,
                municipality=municipality,
            )
    return result
