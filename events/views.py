"""Views of the centre: public pages (published things only) and the staff workplace."""

from __future__ import annotations

import calendar
import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.http import FileResponse, Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from core import queue, ratelimit
from core.client_ip import client_ip
from core.params import MAX_YEAR, MIN_YEAR, search_param, year_param
from core.pdf import render_pdf
from events import ical, selectors, services
from events.forms import (
    AssociationForm,
    AttachmentForm,
    AttendanceForm,
    CancelForm,
    CompletionForm,
    EnrolmentForm,
    EventForm,
    FeedbackForm,
    MaterialForm,
    PageForm,
    PracticeForm,
    ProgrammeForm,
    RegistrationForm,
    ReportForm,
)
from events.models import Event, Registration
from events.permissions import require_centre_staff, staff_municipalities
from schools.models import AcademicYear

# Anonymous registration form: this many submissions per address and window, then a pause.
REGISTRATION_RATE_LIMIT = 10
REGISTRATION_RATE_WINDOW = 15 * 60


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _file_response(item, *, inline: bool) -> FileResponse:
    response = FileResponse(
        item.file.open("rb"),
        content_type=item.content_type,
        as_attachment=not inline,
        filename=f"{item.token[:8]}.{item.extension}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- Public: events ----------------------------------------------------------------------------------


@require_GET
def event_list(request):
    events = selectors.upcoming_public_events()
    return render(request, "events/list.html", {"events": events[:100]})


@require_GET
def event_archive(request):
    page = Paginator(selectors.archive_events(), 30).get_page(request.GET.get("page"))
    return render(request, "events/archive.html", {"page": page})


@require_GET
def event_calendar(request):
    today = timezone.localdate()
    try:
        year, month = (int(part) for part in request.GET.get("month", "").split("-"))
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise ValueError(year)  # also keeps «previous»/«following» inside the calendar
        dt.date(year, month, 1)
    except ValueError:
        year, month = today.year, today.month
    by_day: dict[int, list[Event]] = {}
    for event in selectors.month_events(year=year, month=month):
        first = max(timezone.localtime(event.starts_at).date(), dt.date(year, month, 1))
        last = min(timezone.localtime(event.ends_at).date(), dt.date(year, month, calendar.monthrange(year, month)[1]))
        for day in range(first.day, last.day + 1):
            by_day.setdefault(day, []).append(event)
    weeks = [
        [(day, by_day.get(day, [])) if day else (None, []) for day in week]
        for week in calendar.Calendar(firstweekday=0).monthdayscalendar(year, month)
    ]
    previous = dt.date(year, month, 1) - dt.timedelta(days=1)
    following = dt.date(year, month, 28) + dt.timedelta(days=4)
    return render(
        request,
        "events/calendar.html",
        {
            "weeks": weeks,
            "month": dt.date(year, month, 1),
            "previous": f"{previous:%Y-%m}",
            "following": f"{following:%Y-%m}",
            "today": today,
        },
    )


@require_GET
def event_detail(request, pk: int):
    event = selectors.public_event_get(pk=pk)
    return render(
        request,
        "events/detail.html",
        {
            "event": event,
            "counts": selectors.event_counts(event=event),
            "materials": selectors.public_report_materials(event=event),
            "registration_open": event.registration_is_open(),
            "now": timezone.now(),
        },
    )


@require_GET
def event_ical(request, pk: int):
    event = selectors.public_event_get(pk=pk)
    return _ical_response(ical.calendar_bytes([event], request=request), f"event-{event.pk}.ics")


@require_GET
def event_feed(request):
    events = selectors.public_events().exclude(status=Event.Status.CANCELLED).order_by("starts_at")[:500]
    return _ical_response(ical.calendar_bytes(events, request=request), "opora-events.ics")


def _ical_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _rate_limited(request) -> bool:
    """Count a registration attempt of this client; True once it went over the limit.

    The client is core.client_ip's (TRUSTED_PROXY_COUNT: never a header from anyone on a private
    network, never one bucket for everyone behind our proxy); the counter is in the database
    (core.ratelimit), so it holds across web processes and while Redis is down."""
    return ratelimit.hit(
        scope="events.register",
        key=client_ip(request),
        limit=REGISTRATION_RATE_LIMIT,
        window=REGISTRATION_RATE_WINDOW,
    )


def _register_or_resend_link(event: Event, data: dict, user) -> None:
    """A new registration, or the link to the existing one sent again: the visitor gets the
    same page either way, so the form does not tell anyone whether an address is registered."""
    try:
        services.registration_create(
            event=event,
            full_name=data["full_name"],
            email=data["email"],
            school=data["school"],
            position=data["position"],
            subject=data["subject"],
            user=user,
        )
    except services.AlreadyRegistered as exc:
        services.registration_link_resend(registration_id=exc.registration_id)
    except IntegrityError:
        pass  # the same address sent twice at once: the other submission holds the registration


def event_register(request, pk: int):
    event = selectors.public_event_get(pk=pk)
    initial = {}
    if request.user.is_authenticated:
        initial = {
            "full_name": request.user.full_name,
            "email": request.user.email,
            "school": request.user.school_id,
            "position": request.user.position,
        }
    form = RegistrationForm(request.POST or None, event=event, initial=initial)
    if request.method == "POST":
        if _rate_limited(request):
            return render(request, "events/rate_limited.html", {"event": event}, status=429)
        if form.is_valid():
            data = form.cleaned_data
            try:
                with queue.watch() as sent:
                    _register_or_resend_link(event, data, request.user)
            except ValidationError as exc:
                form.add_error(None, _error_text(exc))
            else:
                context = {"event": event, "email": data["email"].strip().lower(), "letter_delayed": sent.delayed}
                return render(request, "events/registered.html", context)
    return render(
        request,
        "events/register.html",
        {"event": event, "form": form, "registration_open": event.registration_is_open()},
    )


@queue.warn_when_delayed(queue.LETTERS_DELAYED_MESSAGE)
def registration_manage(request, token: str):
    """The participant's own page (from the letter): status, cancel, survey, certificate."""
    registration = selectors.registration_from_token(token)
    event = registration.event
    feedback = getattr(registration, "feedback", None)
    feedback_form = FeedbackForm(
        request.POST if request.POST.get("action") == "feedback" else None,
        initial={"rating": feedback.rating, "comment": feedback.comment} if feedback else None,
    )
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "cancel":
                services.registration_cancel(registration=registration)
                messages.success(request, "Запись отменена. Спасибо, что предупредили: место получит следующий.")
                return redirect("events:registration", token=token)
            if action == "feedback" and feedback_form.is_valid():
                services.feedback_save(registration=registration, **feedback_form.cleaned_data)
                messages.success(request, "Спасибо за отзыв!")
                return redirect("events:registration", token=token)
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
            return redirect("events:registration", token=token)
    return render(
        request,
        "events/registration.html",
        {
            "registration": registration,
            "event": event,
            "token": token,
            "feedback": feedback,
            "feedback_form": feedback_form,
            "can_cancel": registration.status != Registration.Status.CANCELLED
            and event.status not in (Event.Status.HELD, Event.Status.REPORT_PUBLISHED, Event.Status.CANCELLED),
            "survey_open": registration.attended and event.status in (Event.Status.HELD, Event.Status.REPORT_PUBLISHED),
        },
    )


def _certificate_response(registration: Registration) -> HttpResponse:
    if not registration.attended:
        raise Http404
    content = render_pdf(
        "events/certificate.html",
        {"registration": registration, "event": registration.event, "issued": timezone.localdate()},
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{registration.pk}.pdf"'
    return response


@login_required
@require_GET
def my_registrations(request):
    """A signed-in person's own registrations (teachers: DESIGN.md §3), with their links."""
    registrations = [
        (registration, selectors.registration_token(registration))
        for registration in selectors.registrations_of(user=request.user)[:200]
    ]
    return render(request, "events/my_registrations.html", {"registrations": registrations})


@require_GET
def registration_certificate(request, token: str):
    return _certificate_response(selectors.registration_from_token(token))


@require_GET
def material_download(request, pk: int):
    material = selectors.material_for(user=request.user, pk=pk)
    return _file_response(material, inline=material.is_image)


# --- Public: programmes, associations, practices, pages ---------------------------------------------------------


@require_GET
def programme_list(request):
    return render(request, "events/programme_list.html", {"programmes": selectors.public_programmes()[:200]})


@require_GET
def programme_detail(request, pk: int):
    programme = get_object_or_404(selectors.public_programmes(), pk=pk)
    return render(request, "events/programme_detail.html", {"programme": programme})


@require_GET
def association_list(request):
    return render(request, "events/association_list.html", {"associations": selectors.public_associations()})


@require_GET
def association_detail(request, pk: int):
    association = get_object_or_404(selectors.public_associations(), pk=pk)
    today = timezone.localdate()
    current = AcademicYear.start_of(today)
    start_year = year_param(request.GET) or current
    return render(
        request,
        "events/association_detail.html",
        {
            "association": association,
            "plan": selectors.association_plan(association=association, start_year=start_year),
            "start_year": start_year,
            "years": [current - 1, current, current + 1],
        },
    )


@require_GET
def practice_list(request):
    query = search_param(request.GET)
    practices = selectors.practice_search(selectors.public_practices(), query)
    page = Paginator(practices, 20).get_page(request.GET.get("page"))
    return render(request, "events/practice_list.html", {"page": page, "query": query})


@require_GET
def practice_detail(request, pk: int):
    practice = get_object_or_404(selectors.public_practices().prefetch_related("files"), pk=pk)
    return render(request, "events/practice_detail.html", {"practice": practice})


@require_GET
def practice_file(request, pk: int):
    item = selectors.practice_file_for(user=request.user, pk=pk)
    return _file_response(item, inline=item.is_image)


@require_GET
def page_detail(request, slug: str):
    page = selectors.public_page_get(slug=slug)
    return render(request, "events/page.html", {"page": page, "attachments": page.attachments.all()})


@require_GET
def page_file(request, pk: int):
    item = selectors.page_file_for(user=request.user, pk=pk)
    return _file_response(item, inline=item.is_image)


@require_GET
def page_list(request):
    return render(request, "events/page_list.html", {"pages": selectors.public_pages()})


# --- Staff: events -------------------------------------------------------------------------------------------


@login_required
def staff_home(request):
    require_centre_staff(request.user)
    events = selectors.staff_events(user=request.user).order_by("-starts_at")
    page = Paginator(events, 30).get_page(request.GET.get("page"))
    return render(request, "events/staff/home.html", {"page": page})


@login_required
def staff_event_create(request):
    require_centre_staff(request.user)
    municipalities = staff_municipalities(request.user)
    form = EventForm(request.POST or None, municipalities=municipalities)
    if request.method == "POST" and form.is_valid():
        event = form.save(commit=False)
        event.municipality = municipalities.first()
        event.created_by = request.user
        event.save()
        messages.success(request, "Мероприятие создано как черновик. Опубликуйте его, когда всё будет готово.")
        return redirect("events:staff_event", pk=event.pk)
    return render(request, "events/staff/event_form.html", {"form": form, "event": None})


@login_required
def staff_event_edit(request, pk: int):
    require_centre_staff(request.user)
    event = selectors.staff_event_get(user=request.user, pk=pk)
    form = EventForm(request.POST or None, instance=event, municipalities=staff_municipalities(request.user))
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Изменения сохранены.")
        return redirect("events:staff_event", pk=event.pk)
    return render(request, "events/staff/event_form.html", {"form": form, "event": event})


@login_required
def staff_event(request, pk: int):
    require_centre_staff(request.user)
    event = selectors.staff_event_get(user=request.user, pk=pk)
    registrations = list(selectors.event_registrations(event=event))
    return render(
        request,
        "events/staff/event.html",
        {
            "event": event,
            "registrations": registrations,
            "counts": selectors.event_counts(event=event),
            "supported": selectors.event_supported_reach(event=event),
            "materials": event.materials.all(),
            "feedback": selectors.event_feedback_summary(event=event),
            "material_form": MaterialForm(),
            "report_form": ReportForm(initial={"summary": event.report_summary}),
            "cancel_form": CancelForm(),
            "can_mark": event.status
            in (
                Event.Status.PUBLISHED,
                Event.Status.REGISTRATION_CLOSED,
                Event.Status.HELD,
                Event.Status.REPORT_PUBLISHED,
            )
            and event.starts_at <= timezone.now(),
        },
    )


STATUS_ACTIONS = {
    "publish": (services.event_publish, "Мероприятие опубликовано: анонс виден всем, запись открыта."),
    "close": (services.event_close_registration, "Запись закрыта."),
    "held": (services.event_mark_held, "Мероприятие отмечено как проведённое."),
    "survey": (services.event_send_survey, "Анкета разослана участникам."),
}


@login_required
def staff_event_action(request, pk: int, action: str):
    require_centre_staff(request.user)
    event = selectors.staff_event_get(user=request.user, pk=pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        with queue.watch() as sent:
            if action == "cancel":
                form = CancelForm(request.POST)
                if not form.is_valid():
                    raise ValidationError("Укажите причину отмены: её получат записавшиеся.")
                services.event_cancel(event=event, reason=form.cleaned_data["reason"])
                message = "Мероприятие отменено, записавшимся отправлены письма."
            elif action in STATUS_ACTIONS:
                service, message = STATUS_ACTIONS[action]
                service(event=event)
            else:
                raise Http404
        if sent.delayed:
            # The letters are due and will go (events.services.letters_resend_unsent): say so, not «sent».
            messages.warning(request, queue.LETTERS_DELAYED_MESSAGE)
        else:
            messages.success(request, message)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    return redirect("events:staff_event", pk=event.pk)


@login_required
def staff_attendance(request, pk: int):
    require_centre_staff(request.user)
    event = selectors.staff_event_get(user=request.user, pk=pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = AttendanceForm(request.POST, registrations=event.registrations.filter(status=Registration.Status.CONFIRMED))
    if not form.is_valid():
        messages.error(request, "Отметки не сохранены: в списке есть неизвестные участники.")
    else:
        try:
            changed = services.event_attendance_save(event=event, attended_ids=set(form.cleaned_data["attended"]))
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, f"Посещаемость сохранена (изменено отметок: {changed}).")
    return redirect("events:staff_event", pk=event.pk)


@login_required
def staff_material_upload(request, pk: int):
    require_centre_staff(request.user)
    event = selectors.staff_event_get(user=request.user, pk=pk)
    form = MaterialForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.event_material_add(event=event, upload=data["file"], title=data["title"], kind=data["kind"])
        messages.success(request, "Файл загружен.")
        return redirect("events:staff_event", pk=event.pk)
    return render(request, "events/staff/material_form.html", {"event": event, "form": form})


@login_required
def staff_report(request, pk: int):
    require_centre_staff(request.user)
    event = selectors.staff_event_get(user=request.user, pk=pk)
    form = ReportForm(request.POST or None, initial={"summary": event.report_summary})
    if request.method == "POST" and form.is_valid():
        try:
            services.event_publish_report(event=event, summary=form.cleaned_data["summary"])
        except ValidationError as exc:
            form.add_error(None, _error_text(exc))
        else:
            messages.success(request, "Отчёт опубликован на странице мероприятия.")
            return redirect("events:staff_event", pk=event.pk)
    return render(request, "events/staff/report_form.html", {"event": event, "form": form})


@login_required
@require_GET
def staff_certificate(request, pk: int):
    require_centre_staff(request.user)
    return _certificate_response(selectors.staff_registration_get(user=request.user, pk=pk))


# --- Staff: programmes, associations, practices, pages ------------------------------------------------------


def _staff_object_form(request, *, form_class, instance, template, title, back, extra=None, **form_kwargs):
    """Create/edit of the centre's simple catalogues: validate, save in the staff municipality."""
    municipalities = staff_municipalities(request.user)
    form = form_class(request.POST or None, instance=instance, **form_kwargs)
    if request.method == "POST" and form.is_valid():
        obj = form.save(commit=False)
        if obj.pk is None:
            obj.municipality = municipalities.first()
        obj.save()
        if extra:
            extra(obj, form)  # nosec B610 # a callback named extra, not QuerySet.extra
        messages.success(request, "Сохранено.")
        return obj
    return render(request, template, {"form": form, "object": instance, "title": title, "back": back})


@login_required
def staff_programmes(request):
    require_centre_staff(request.user)
    return render(
        request, "events/staff/programmes.html", {"programmes": selectors.staff_programmes(user=request.user)}
    )


@login_required
def staff_programme_form(request, pk: int | None = None):
    require_centre_staff(request.user)
    instance = get_object_or_404(selectors.staff_programmes(user=request.user), pk=pk) if pk else None
    result = _staff_object_form(
        request,
        form_class=ProgrammeForm,
        instance=instance,
        template="events/staff/object_form.html",
        title="Программа КПК/ДПО",
        back="events:staff_programmes",
    )
    return redirect("events:staff_programme", pk=result.pk) if not isinstance(result, HttpResponse) else result


@login_required
def staff_programme(request, pk: int):
    require_centre_staff(request.user)
    programme = get_object_or_404(selectors.staff_programmes(user=request.user), pk=pk)
    municipalities = staff_municipalities(request.user)
    form = EnrolmentForm(request.POST or None, municipalities=municipalities)
    if request.method == "POST" and form.is_valid():
        enrolment = form.save(commit=False)
        enrolment.programme = programme
        enrolment.save()
        messages.success(request, f"{enrolment.full_name} зачислен(а) на программу.")
        return redirect("events:staff_programme", pk=programme.pk)
    enrolments = programme.enrolments.select_related("school__organisation")
    return render(
        request,
        "events/staff/programme.html",
        {"programme": programme, "enrolments": enrolments, "form": form, "completion_form": CompletionForm()},
    )


@login_required
def staff_enrolment_complete(request, pk: int):
    require_centre_staff(request.user)
    from events.models import Enrolment

    enrolment = get_object_or_404(
        Enrolment.objects.filter(programme__municipality__in=staff_municipalities(request.user)), pk=pk
    )
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = CompletionForm(request.POST)
    if form.is_valid():
        try:
            services.enrolment_complete(enrolment=enrolment, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, f"{enrolment.full_name}: окончание программы отмечено.")
    else:
        messages.error(request, "Укажите дату окончания.")
    return redirect("events:staff_programme", pk=enrolment.programme_id)


@login_required
def staff_associations(request):
    require_centre_staff(request.user)
    return render(
        request, "events/staff/associations.html", {"associations": selectors.staff_associations(user=request.user)}
    )


@login_required
def staff_association_form(request, pk: int | None = None):
    require_centre_staff(request.user)
    instance = get_object_or_404(selectors.staff_associations(user=request.user), pk=pk) if pk else None
    result = _staff_object_form(
        request,
        form_class=AssociationForm,
        instance=instance,
        template="events/staff/object_form.html",
        title="Методическое объединение",
        back="events:staff_associations",
    )
    return redirect("events:staff_associations") if not isinstance(result, HttpResponse) else result


@login_required
def staff_practices(request):
    require_centre_staff(request.user)
    query = search_param(request.GET)
    practices = selectors.practice_search(selectors.staff_practices(user=request.user), query)
    return render(request, "events/staff/practices.html", {"practices": practices[:200], "query": query})


def _practice_publish(practice, form) -> None:
    services.practice_set_published(practice=practice, published=form.cleaned_data["publish"])


@login_required
def staff_practice_form(request, pk: int | None = None):
    require_centre_staff(request.user)
    instance = get_object_or_404(selectors.staff_practices(user=request.user), pk=pk) if pk else None
    result = _staff_object_form(
        request,
        form_class=PracticeForm,
        instance=instance,
        template="events/staff/object_form.html",
        title="Практика",
        back="events:staff_practices",
        extra=_practice_publish,
        municipalities=staff_municipalities(request.user),
    )
    if isinstance(result, HttpResponse):
        return result
    return redirect("events:staff_practice_files", pk=result.pk)


@login_required
def staff_practice_files(request, pk: int):
    require_centre_staff(request.user)
    practice = get_object_or_404(selectors.staff_practices(user=request.user), pk=pk)
    form = AttachmentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        services.practice_file_add(
            practice=practice, upload=form.cleaned_data["file"], title=form.cleaned_data["title"]
        )
        messages.success(request, "Файл прикреплён.")
        return redirect("events:staff_practice_files", pk=practice.pk)
    return render(
        request,
        "events/staff/attachments.html",
        {"object": practice, "files": practice.files.all(), "form": form, "file_url": "events:practice_file",
         "edit_url": "events:staff_practice_edit", "back": "events:staff_practices"},
    )  # fmt: skip


@login_required
def staff_pages(request):
    require_centre_staff(request.user)
    return render(request, "events/staff/pages.html", {"pages": selectors.staff_pages(user=request.user)})


def _page_publish(page, form) -> None:
    services.page_set_published(page=page, published=form.cleaned_data["is_published"])


@login_required
def staff_page_form(request, pk: int | None = None):
    require_centre_staff(request.user)
    instance = get_object_or_404(selectors.staff_pages(user=request.user), pk=pk) if pk else None
    result = _staff_object_form(
        request,
        form_class=PageForm,
        instance=instance,
        template="events/staff/object_form.html",
        title="Страница",
        back="events:staff_pages",
        extra=_page_publish,
    )
    if isinstance(result, HttpResponse):
        return result
    return redirect("events:staff_page_files", pk=result.pk)


@login_required
def staff_page_files(request, pk: int):
    require_centre_staff(request.user)
    page = get_object_or_404(selectors.staff_pages(user=request.user), pk=pk)
    form = AttachmentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        services.page_attachment_add(page=page, upload=form.cleaned_data["file"], title=form.cleaned_data["title"])
        messages.success(request, "Документ прикреплён.")
        return redirect("events:staff_page_files", pk=page.pk)
    return render(
        request,
        "events/staff/attachments.html",
        {"object": page, "files": page.attachments.all(), "form": form, "file_url": "events:page_file",
         "edit_url": "events:staff_page_edit", "back": "events:staff_pages"},
    )  # fmt: skip
