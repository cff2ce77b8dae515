"""Factories of the centre's objects (events app tests and its permission-matrix rows)."""

import datetime as dt

import factory
from django.core.files.base import ContentFile
from django.utils import timezone

from core.sample_documents import tiny_pdf
from events.models import Association, Enrolment, Event, EventMaterial, Page, Practice, Programme, Registration
from tests.factories import MunicipalityFactory

# A minimal valid PDF: what the content check expects to see.
PDF_BYTES = tiny_pdf()


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    municipality = factory.SubFactory(MunicipalityFactory)
    title = factory.Sequence(lambda n: f"Семинар «Формирующее оценивание» № {n}")
    description = "Практикум для учителей **основной школы**."
    location = "ИМЦ, ул. Советская, 14, ауд. 2"
    starts_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=10))
    ends_at = factory.LazyAttribute(lambda e: e.starts_at + dt.timedelta(hours=2))
    hours = 2
    capacity = 30
    status = Event.Status.PUBLISHED
    publish_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1))


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    event = factory.SubFactory(EventFactory)
    full_name = factory.Sequence(lambda n: f"Смирнова Ольга Петровна {n}")
    email = factory.Sequence(lambda n: f"teacher{n}@example.ru")
    position = "учитель"
    subject = "математика"
    consent_at = factory.LazyFunction(timezone.now)
    status = Registration.Status.CONFIRMED


class MaterialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EventMaterial

    event = factory.SubFactory(EventFactory)
    title = "Презентация"
    original_name = "slides.pdf"
    content_type = "application/pdf"
    extension = "pdf"
    size = len(PDF_BYTES)
    token = factory.Sequence(lambda n: f"{n:032x}")
    file = factory.LazyAttribute(lambda m: ContentFile(PDF_BYTES, name=f"{m.token}.pdf"))


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    municipality = factory.SubFactory(MunicipalityFactory)
    title = factory.Sequence(lambda n: f"Формирование функциональной грамотности, поток {n}")
    hours = 36
    provider = "Институт развития образования"
    is_published = True


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrolment

    programme = factory.SubFactory(ProgrammeFactory)
    full_name = factory.Sequence(lambda n: f"Кузнецова Анна {n}")


class AssociationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Association

    municipality = factory.SubFactory(MunicipalityFactory)
    name = factory.Sequence(lambda n: f"ММО учителей математики {n}")
    is_published = True


class PracticeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Practice

    municipality = factory.SubFactory(MunicipalityFactory)
    title = factory.Sequence(lambda n: f"Практика {n}")
    status = Practice.Status.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)


class PageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Page

    municipality = factory.SubFactory(MunicipalityFactory)
    slug = factory.Sequence(lambda n: f"page-{n}")
    title = factory.Sequence(lambda n: f"Положение № {n}")
    body = "Текст положения."
    is_published = True
    published_at = factory.LazyFunction(timezone.now)
