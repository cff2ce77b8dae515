import datetime as dt
from decimal import Decimal

import factory

from teachers.models import Competence, Diagnosis, Mentorship, Route, RouteStep, Teacher
from tests.factories import AcademicYearFactory, SchoolFactory


class TeacherFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Teacher

    school = factory.SubFactory(SchoolFactory)
    last_name = factory.Sequence(lambda n: f"Учителева{n}")
    first_name = "Мария"
    middle_name = "Ивановна"
    position = "Учитель"
    subjects = "математика"


class CompetenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Competence

    area = Competence.Area.METHODOLOGICAL
    name = factory.Sequence(lambda n: f"Компетенция {n}")
    threshold = Decimal("60")


class DiagnosisFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Diagnosis

    teacher = factory.SubFactory(TeacherFactory)
    competence = factory.SubFactory(CompetenceFactory)
    score = Decimal("50")
    threshold = factory.LazyAttribute(lambda d: d.competence.threshold)
    date = dt.date(2025, 10, 1)
    source = "ЦНППМ"


class RouteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Route

    teacher = factory.SubFactory(TeacherFactory)
    year = factory.SubFactory(AcademicYearFactory)


class RouteStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RouteStep

    route = factory.SubFactory(RouteFactory)
    kind = RouteStep.Kind.EVENT
    title = factory.Sequence(lambda n: f"Шаг {n}")
    due_on = dt.date(2026, 3, 1)


class MentorshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mentorship

    mentor = factory.SubFactory(TeacherFactory)
    mentee = factory.SubFactory(TeacherFactory, school=factory.SelfAttribute("..mentor.school"))
    topic = "Подготовка к ОГЭ"
    starts_on = dt.date(2025, 9, 1)
    ends_on = dt.date(2026, 5, 31)
