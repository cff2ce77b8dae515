"""Writes of the centre. Registrations, attendance and completion are written only here.

``registration_mark_attended`` and ``enrolment_complete`` are the single places where those
facts are recorded: the teachers' routes (issue #8) hook their step completion there.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from core.errors import ApplicationError
from core.jobs.services import job_enqueue, job_sweep
from events import hooks, mail
from events.models import (
    Enrolment,
    Event,
    EventMaterial,
    Feedback,
    Letter,
    Page,
    PageAttachment,
    Practice,
    PracticeFile,
    Registration,
)
from events.uploads import check_upload

LIVE = (Registration.Status.CONFIRMED, Registration.Status.WAITLISTED)

# The refusals' words (tests import them: core.errors).
TRANSITION_NOT_ALLOWED = "Из статуса «{current}» нельзя перейти в «{target}»."
REPORT_NEEDS_RESULTS = "Напишите итоги мероприятия: без них отчёт не публикуется."
SURVEY_AFTER_EVENT = "Анкету рассылают после мероприятия."
REGISTRATION_CLOSED = "Запись на это мероприятие сейчас не ведётся."
CANCEL_TOO_LATE = "Мероприятие уже прошло: запись отменить нельзя."
ATTENDANCE_ONLY_CONFIRMED = "{name}: отметить можно только записанных (не из листа ожидания)."
ATTENDANCE_ONLY_HELD = "Посещаемость отмечают у проведённых мероприятий."
ATTENDANCE_TOO_EARLY = "Мероприятие ещё не началось: отмечать посещаемость рано."
SURVEY_ONLY_ATTENDED = "Анкету заполняют участники, отмеченные как присутствовавшие."
ENDS_BEFORE_ENROLMENT = "Дата окончания раньше даты зачисления."


def _letter_queue(registration: Registration, kind: str) -> Letter | None:
    """Write the letter with the change that calls for it and send it on commit (core.jobs); a letter
    of this kind the registration already has is not written twice."""
    letter, created = Letter.objects.get_or_create(registration=registration, kind=kind)
    if not created:
        return None
    job_enqueue(letter)  # a broker outage is logged, not raised: the sweep sends it later
    return letter


def _lock_event(event_id: int) -> Event:
    """The event row, locked for the rest of the transaction where the database can.

    PostgreSQL: SELECT … FOR UPDATE serialises registrations of one event. SQLite runs
    IMMEDIATE transactions (settings), which already serialise every writer.
    """
    queryset = Event.objects.all()
    if connection.features.has_select_for_update:
        queryset = queryset.select_for_update()
    return queryset.get(pk=event_id)


# --- Event lifecycle -------------------------------------------------------------------------------


def _transition(event: Event, allowed: tuple[str, ...], target: str) -> None:
    if event.status not in allowed:
        raise ValidationError(
            TRANSITION_NOT_ALLOWED.format(current=event.get_status_display(), target=Event.Status(target).label)
        )
    event.status = target


def event_publish(*, event: Event, publish_at: dt.datetime | None = None) -> Event:
    """Draft → published: the announcement appears at ``publish_at`` (now by default)."""
    _transition(event, (Event.Status.DRAFT,), Event.Status.PUBLISHED)
    event.publish_at = publish_at or event.publish_at or timezone.now()
    event.save(update_fields=["status", "publish_at", "updated_at"])
    return event


def event_close_registration(*, event: Event) -> Event:
    _transition(event, (Event.Status.PUBLISHED,), Event.Status.REGISTRATION_CLOSED)
    event.save(update_fields=["status", "updated_at"])
    return event


def event_mark_held(*, event: Event) -> Event:
    _transition(event, (Event.Status.PUBLISHED, Event.Status.REGISTRATION_CLOSED), Event.Status.HELD)
    event.save(update_fields=["status", "updated_at"])
    return event


def event_publish_report(*, event: Event, summary: str) -> Event:
    """Held → report published: the summary, photos and materials become public."""
    if not summary.strip():
        raise ValidationError(REPORT_NEEDS_RESULTS)
    _transition(event, (Event.Status.HELD, Event.Status.REPORT_PUBLISHED), Event.Status.REPORT_PUBLISHED)
    event.report_summary = summary
    event.report_published_at = event.report_published_at or timezone.now()
    event.save(update_fields=["status", "report_summary", "report_published_at", "updated_at"])
    return event


@transaction.atomic
def event_cancel(*, event: Event, reason: str) -> Event:
    """Cancel an event that has not been held; everyone registered is told by e-mail."""
    _transition(
        event, (Event.Status.DRAFT, Event.Status.PUBLISHED, Event.Status.REGISTRATION_CLOSED), Event.Status.CANCELLED
    )
    event.cancel_reason = reason.strip()
    event.save(update_fields=["status", "cancel_reason", "updated_at"])
    told = event.registrations.exclude(status=Registration.Status.CANCELLED).filter(cancellation_sent_at__isnull=True)
    for registration in told:
        _letter_queue(registration, Letter.Kind.CANCELLATION)
    return event


def event_send_survey(*, event: Event) -> int:
    """Invite those who attended to the feedback survey (each person once)."""
    if event.status not in (Event.Status.HELD, Event.Status.REPORT_PUBLISHED):
        raise ValidationError(SURVEY_AFTER_EVENT)
    invited = list(event.registrations.filter(attended=True, survey_sent_at__isnull=True))
    with transaction.atomic():
        event.survey_requested_at = timezone.now()
        event.save(update_fields=["survey_requested_at", "updated_at"])
        for registration in invited:
            _letter_queue(registration, Letter.Kind.SURVEY)
    return len(invited)


def letters_resend_unsent(*, now: dt.datetime | None = None) -> list[int]:
    """The job layer's sweep over the centre's letters: sent again while they are news
    (Letter.RESEND_WITHIN); returns the letters sent, put back or failed."""
    return job_sweep(Letter, now=now).ids


# --- Registrations --------------------------------------------------------------------------------


ALREADY_REGISTERED = "С этого адреса уже есть запись на мероприятие. Ссылка на неё — в письме."


class AlreadyRegistered(ApplicationError, ValidationError):  # type: ignore[misc]  # both keep .message
    """The address holds a live registration of the event. The public form must not say so (it
    would tell anyone who is registered where): it answers as for a new registration and
    letters the address its existing link (registration_link_resend)."""

    def __init__(self, registration_id: int):
        super().__init__(ALREADY_REGISTERED, code="already_registered")
        self.registration_id = registration_id


def registration_link_resend(*, registration_id: int) -> None:
    """Queue the letter with the link to an existing registration (the portal's outbox, at most
    one an hour per registration: events.mail.registration_link_queue)."""
    mail.registration_link_queue(registration_id=registration_id)


def registration_create(
    *,
    event: Event,
    full_name: str,
    email: str,
    school=None,
    position: str = "",
    subject: str = "",
    user=None,
    now: dt.datetime | None = None,
) -> Registration:
    """Register a person: a seat while there is one, the waitlist when the event is full.

    Refused (ValidationError, nothing written) outside the registration window and for an
    address already registered for this event.
    """
    now = now or timezone.now()
    email = email.strip().lower()
    with transaction.atomic():
        locked = _lock_event(event.pk)
        if not locked.registration_is_open(now):
            raise ValidationError(REGISTRATION_CLOSED)
        existing = locked.registrations.filter(email=email, status__in=LIVE).values_list("pk", flat=True).first()
        if existing is not None:
            raise AlreadyRegistered(existing)
        confirmed = locked.registrations.filter(status=Registration.Status.CONFIRMED).count()
        full = locked.capacity is not None and confirmed >= locked.capacity
        registration = Registration.objects.create(
            event=locked,
            full_name=full_name.strip(),
            email=email,
            school=school,
            position=position.strip(),
            subject=subject.strip(),
            user=user if user is not None and user.is_authenticated else None,
            consent_at=now,
            created_at=now,
            status=Registration.Status.WAITLISTED if full else Registration.Status.CONFIRMED,
        )
        _letter_queue(registration, Letter.Kind.CONFIRMATION)
    return registration


def registration_cancel(*, registration: Registration) -> Registration | None:
    """Cancel a registration; if it held a seat, the first in the waitlist takes it.

    Both happen in one transaction with the event locked, so two cancellations never
    promote the same person and a seat is never given twice. Returns the promoted one.
    """
    with transaction.atomic():
        event = _lock_event(registration.event_id)
        current = Registration.objects.get(pk=registration.pk)
        if current.status == Registration.Status.CANCELLED:
            return None
        if event.status in (Event.Status.HELD, Event.Status.REPORT_PUBLISHED):
            raise ValidationError(CANCEL_TOO_LATE)
        held_seat = current.status == Registration.Status.CONFIRMED
        current.status = Registration.Status.CANCELLED
        current.cancelled_at = timezone.now()
        current.save(update_fields=["status", "cancelled_at"])
        registration.status, registration.cancelled_at = current.status, current.cancelled_at
        promoted = None
        if held_seat and event.status != Event.Status.CANCELLED:
            confirmed = event.registrations.filter(status=Registration.Status.CONFIRMED).count()
            if event.capacity is None or confirmed < event.capacity:
                promoted = (
                    event.registrations.filter(status=Registration.Status.WAITLISTED)
                    .order_by("created_at", "pk")
                    .first()
                )
                if promoted is not None:
                    promoted.status = Registration.Status.CONFIRMED
                    promoted.promoted_at = timezone.now()
                    promoted.save(update_fields=["status", "promoted_at"])
                    _letter_queue(promoted, Letter.Kind.PROMOTION)
    return promoted


def registration_mark_attended(*, registration: Registration, attended: bool) -> bool:
    """Record whether a person came. The one place attendance is written; True if it changed."""
    if registration.status != Registration.Status.CONFIRMED and attended:
        raise ValidationError(ATTENDANCE_ONLY_CONFIRMED.format(name=registration.full_name))
    changed = (
        Registration.objects.filter(pk=registration.pk)
        .exclude(attended=attended)
        .update(attended=attended, attended_marked_at=timezone.now())
    )
    registration.attended = attended
    if changed:
        # The teacher's route (ИОМ) steps linked to this event fill in by themselves (teachers listens).
        hooks.attendance_changed.send(
            sender=Registration,
            event_id=registration.event_id,
            attended=attended,
            user_id=registration.user_id,
            email=registration.email,
            school_id=registration.school_id,
            on=timezone.localdate(registration.event.starts_at),
        )
    return bool(changed)


@transaction.atomic
def event_attendance_save(*, event: Event, attended_ids: set[int]) -> int:
    """Bulk marking from the participants page: ticked ones came, the others did not."""
    if event.status in (Event.Status.DRAFT, Event.Status.CANCELLED):
        raise ValidationError(ATTENDANCE_ONLY_HELD)
    if event.starts_at > timezone.now():
        raise ValidationError(ATTENDANCE_TOO_EARLY)
    changed = 0
    for registration in event.registrations.filter(status=Registration.Status.CONFIRMED):
        changed += registration_mark_attended(registration=registration, attended=registration.pk in attended_ids)
    return changed


def feedback_save(*, registration: Registration, rating: int, comment: str) -> Feedback:
    if not registration.attended:
        raise ValidationError(SURVEY_ONLY_ATTENDED)
    feedback, _ = Feedback.objects.update_or_create(
        registration=registration, defaults={"rating": rating, "comment": comment.strip()}
    )
    return feedback


# --- Files ------------------------------------------------------------------------------------------


def _store(model, *, upload, title: str, images_only: bool = False, **fields):
    checked = check_upload(upload, images_only=images_only)
    item = model(
        title=title.strip() or upload.name[:300],
        original_name=upload.name[:255],
        content_type=checked.content_type,
        extension=checked.extension,
        size=checked.size,
        token=checked.token,
        **fields,
    )
    item.file.save(f"{checked.token}.{checked.extension}", upload, save=False)
    item.save()
    return item


def event_material_add(*, event: Event, upload, title: str, kind: str) -> EventMaterial:
    return _store(
        EventMaterial, upload=upload, title=title, images_only=kind == EventMaterial.Kind.PHOTO, event=event, kind=kind
    )


def practice_file_add(*, practice: Practice, upload, title: str) -> PracticeFile:
    return _store(PracticeFile, upload=upload, title=title, practice=practice)


def page_attachment_add(*, page: Page, upload, title: str) -> PageAttachment:
    return _store(PageAttachment, upload=upload, title=title, page=page)


# --- Programmes, practices, pages -------------------------------------------------------------------------


def enrolment_complete(*, enrolment: Enrolment, completed_on: dt.date, certificate_number: str = "") -> Enrolment:
    """Record that a listener completed the programme. The one place completion is written."""
    if completed_on < enrolment.enrolled_on:
        raise ValidationError(ENDS_BEFORE_ENROLMENT)
    enrolment.completed_on = completed_on
    enrolment.certificate_number = certificate_number.strip()
    enrolment.save(update_fields=["completed_on", "certificate_number"])
    # The teacher's route (ИОМ) steps linked to this programme fill in by themselves (teachers listens).
    hooks.course_completed.send(
        sender=Enrolment,
        programme_id=enrolment.programme_id,
        completed=True,
        email=enrolment.email,
        school_id=enrolment.school_id,
        on=completed_on,
    )
    return enrolment


def practice_set_published(*, practice: Practice, published: bool) -> Practice:
    practice.status = Practice.Status.PUBLISHED if published else Practice.Status.DRAFT
    if published and practice.published_at is None:
        practice.published_at = timezone.now()
    practice.save(update_fields=["status", "published_at", "updated_at"])
    return practice


def page_set_published(*, page: Page, published: bool) -> Page:
    page.is_published = published
    if published and page.published_at is None:
        page.published_at = timezone.now()
    page.save(update_fields=["is_published", "published_at", "updated_at"])
    return page
