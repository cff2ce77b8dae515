"""People pages: the department's (or the region's) accounts, invitations and curators."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_POST

from accounts.models import Role
from core.tabular import XLSX_CONTENT_TYPE, TabularFileError, xlsx_bytes
from people import services
from people.forms import PeopleUploadForm, PersonForm
from people.rules import (
    can_manage_people,
    municipalities_for_people,
    people_for,
    person_get_for_manage,
    schools_for_people,
)


def _require_manager(user) -> None:
    if not can_manage_people(user):
        raise PermissionDenied


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _home_municipality(request):
    """The municipality the department's pages are about (a region picks one with ?m=)."""
    municipalities = municipalities_for_people(request.user)
    if request.user.role == Role.DEPARTMENT:
        return municipalities.first()
    chosen = request.GET.get("m") or request.POST.get("m")
    if chosen and str(chosen).isdigit():
        return get_object_or_404(municipalities, pk=int(chosen))
    return municipalities.order_by("name").first()


@login_required
def people_list(request):
    _require_manager(request.user)
    people = people_for(request.user).prefetch_related("curated_schools__organisation")
    role = request.GET.get("role", "")
    if role in Role.values:
        people = people.filter(role=role)
    state = request.GET.get("state", "active")
    if state == "inactive":
        people = people.filter(is_active=False)
    elif state != "all":
        people = people.filter(is_active=True)
    people = people.order_by("role", "last_name", "first_name")
    return render(
        request,
        "people/list.html",
        {
            "people": people,
            "roles": [(r, Role(r).label) for r in services.managed_roles(request.user)],
            "role": role,
            "state": state,
        },
    )


def _person_kwargs(data: dict) -> dict:
    return {
        "role": data["role"],
        "last_name": data["last_name"],
        "first_name": data["first_name"],
        "middle_name": data.get("middle_name", ""),
        "position": data.get("position", ""),
        "municipality": data.get("municipality"),
        "school": data.get("school"),
        "curated_schools": data.get("curated_schools") or [],
    }


@login_required
def person_invite(request):
    _require_manager(request.user)
    form = PersonForm(request.POST or None, manager=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.person_invite(
                by=request.user, email=form.cleaned_data["email"], **_person_kwargs(form.cleaned_data)
            )
        except ValidationError as exc:
            form.add_error(None, _error_text(exc))
        else:
            messages.success(
                request,
                f"Приглашение отправлено на {person.email}: ссылка действует {settings.INVITATION_TIMEOUT_DAYS} дн.",
            )
            return redirect("people:detail", pk=person.pk)
    return render(request, "people/form.html", {"form": form, "person": None})


@login_required
def person_detail(request, pk: int):
    _require_manager(request.user)
    person = person_get_for_manage(user=request.user, pk=pk)
    initial = {
        "last_name": person.last_name,
        "first_name": person.first_name,
        "middle_name": person.middle_name,
        "position": person.position,
        "role": person.role,
        "municipality": person.municipality_id,
        "school": person.school_id,
        "curated_schools": list(person.curated_schools.values_list("pk", flat=True)),
    }
    form = PersonForm(request.POST or None, manager=request.user, editing=person, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_update(by=request.user, user=person, **_person_kwargs(form.cleaned_data))
        except ValidationError as exc:
            form.add_error(None, _error_text(exc))
        else:
            messages.success(request, "Изменения сохранены.")
            return redirect("people:detail", pk=person.pk)
    return render(request, "people/form.html", {"form": form, "person": person})


def _person_action(request, pk: int, action, done: str):
    _require_manager(request.user)
    person = person_get_for_manage(user=request.user, pk=pk)
    try:
        action(by=request.user, user=person)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, done.format(person=person, email=person.email))
    return redirect("people:detail", pk=person.pk)


@login_required
@require_POST
def person_deactivate(request, pk: int):
    return _person_action(
        request, pk, services.person_deactivate, "Учётная запись «{person}» отключена; её сеансы завершены."
    )


@login_required
@require_POST
def person_reactivate(request, pk: int):
    return _person_action(request, pk, services.person_reactivate, "Учётная запись «{person}» снова включена.")


@login_required
@require_POST
def person_password_reset(request, pk: int):
    return _person_action(
        request, pk, services.person_password_reset, "Ссылка для нового пароля отправлена на {email}."
    )


@login_required
def directors_bulk(request):
    """Directors' accounts from the registry: a preview first, then one confirmation."""
    _require_manager(request.user)
    municipality = _home_municipality(request)
    if municipality is None or Role.DIRECTOR not in services.managed_roles(request.user):
        raise PermissionDenied
    apply = request.method == "POST"
    result = services.directors_from_registry(by=request.user, municipality=municipality, apply=apply)
    if apply:
        created = result.count("created")
        messages.success(request, f"Создано учётных записей руководителей: {created}; приглашения отправлены.")
        return redirect("people:list")
    return render(
        request,
        "people/directors_bulk.html",
        {
            "result": result,
            "municipality": municipality,
            "created_count": result.count("created"),
            "skipped_count": result.count("skipped"),
        },
    )


@login_required
def people_import(request):
    _require_manager(request.user)
    municipality = _home_municipality(request)
    form = PeopleUploadForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = services.people_import(
                by=request.user, fileobj=upload, name=upload.name, municipality=municipality
            )
        except (ValidationError, TabularFileError) as exc:
            form.add_error("file", _error_text(exc) if isinstance(exc, ValidationError) else str(exc))
        else:
            if not result.errors:
                messages.success(
                    request, f"Создано учётных записей: {result.count('created')}; приглашения отправлены."
                )
                return redirect("people:list")
    return render(request, "people/import.html", {"form": form, "result": result})


@login_required
def people_import_template(request):
    _require_manager(request.user)
    headers = ["Фамилия", "Имя", "Отчество", "Эл. почта", "Роль", "Код ОО", "Должность"]
    sample = [["Иванова", "Анна", "Сергеевна", "ivanova@example.ru", "Руководитель", "edu990003", "Директор"]]
    content = xlsx_bytes("Пользователи", headers, sample)
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = 'attachment; filename="polzovateli-shablon.xlsx"'
    return response


@login_required
def curators(request):
    """Schools × curators of one municipality: a tick is «this curator curates this school»."""
    _require_manager(request.user)
    municipality = _home_municipality(request)
    if municipality is None or Role.CURATOR not in services.managed_roles(request.user):
        raise PermissionDenied
    curator_list = list(
        people_for(request.user)
        .filter(role=Role.CURATOR, municipality=municipality, is_active=True)
        .prefetch_related(Prefetch("curated_schools", to_attr="curated"))
        .order_by("last_name", "first_name")
    )
    schools = list(schools_for_people(request.user).filter(municipality=municipality).order_by("organisation__name"))
    if request.method == "POST":
        assignments = {c.pk: {int(v) for v in request.POST.getlist(f"c{c.pk}") if v.isdigit()} for c in curator_list}
        try:
            changed = services.curators_assign(by=request.user, municipality=municipality, assignments=assignments)
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(
                request, f"Закрепление сохранено: изменено связей — {changed}." if changed else "Изменений нет."
            )
        return redirect(f"{request.path}?m={municipality.pk}")
    ticked = {(c.pk, s.pk) for c in curator_list for s in c.curated}
    rows = [(s, [(c, (c.pk, s.pk) in ticked) for c in curator_list]) for s in schools]
    return render(
        request,
        "people/curators.html",
        {"curators": curator_list, "rows": rows, "municipality": municipality},
    )


class InvitationAcceptView(auth_views.PasswordResetConfirmView):
    """The link from an invitation (or a reset by staff): set a password and come in."""

    template_name = "people/invitation_accept.html"
    token_generator = services.invitation_token
    post_reset_login = True
    post_reset_login_backend = "django.contrib.auth.backends.ModelBackend"
    success_url = reverse_lazy("core:home")
    reset_url_token = "set-password"  # noqa: S105 - a URL segment, not a secret  # nosec B105

    def get_user(self, uidb64):
        user = super().get_user(uidb64)
        # A switched-off account's old link opens nothing.
        return user if user is not None and user.is_active else None

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, "Пароль задан. Добро пожаловать в «Опору»!")
        return response


invitation_accept = InvitationAcceptView.as_view()
