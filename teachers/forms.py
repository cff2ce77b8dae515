from crispy_forms.helper import FormHelper
from django import forms
from django.db.models import QuerySet

from accounts.models import Role, User
from core.forms import SpreadsheetUploadForm
from schools.models import AcademicYear
from teachers.formats import name_key
from teachers.models import Competence, Deficit, MentoringMeeting, Mentorship, RouteGoal, RouteStep, Teacher

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


EMPTY_LABEL = "— не выбрано —"


class _Crispy:
    def _crispy(self) -> None:
        self.helper = FormHelper()
        self.helper.form_tag = False
        # Django 6.1's blank choice («- Select an option -») has no Russian translation yet.
        for field in self.fields.values():
            if isinstance(field, forms.ModelChoiceField) and not isinstance(field, forms.ModelMultipleChoiceField):
                field.empty_label = EMPTY_LABEL
            elif isinstance(field, forms.ChoiceField) and field.choices and field.choices[0][0] == "":
                field.choices = [("", EMPTY_LABEL), *field.choices[1:]]


class TeacherForm(_Crispy, forms.ModelForm):
    user = forms.ModelChoiceField(
        label="Учётная запись",
        queryset=User.objects.none(),
        required=False,
        help_text="Учётная запись учителя этой школы: с ней педагог видит свой маршрут.",
    )

    class Meta:
        model = Teacher
        fields = [
            "last_name",
            "first_name",
            "middle_name",
            "position",
            "subjects",
            "experience_years",
            "category",
            "is_young_specialist",
            "email",
            "is_active",
            "user",
        ]

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.school = school
        self.fields["user"].queryset = User.objects.filter(role=Role.TEACHER, school=school, is_active=True)
        self._crispy()

    def clean(self):
        data = super().clean()
        for key in ("last_name", "first_name", "middle_name"):
            data[key] = " ".join(data.get(key, "").split())
            setattr(self.instance, key, data[key])
        # The school is not a field of the form, so the unique name is checked here, the way the
        # import compares names (case and «ё» aside; SQLite compares Cyrillic case-sensitively).
        key = name_key(data["last_name"], data["first_name"], data["middle_name"])
        others = Teacher.objects.filter(school=self.instance.school).exclude(pk=self.instance.pk)
        if data["last_name"] and any(
            name_key(*names) == key for names in others.values_list("last_name", "first_name", "middle_name")
        ):
            raise forms.ValidationError("Педагог с такими фамилией, именем и отчеством в этой школе уже есть.")
        return data


class RosterUploadForm(SpreadsheetUploadForm):
    file_help_text = "Список педагогов школы по шаблону: столбцы перечислены справа."


class DiagnosticsUploadForm(SpreadsheetUploadForm):
    file_help_text = "Результаты диагностики педагогов школы по шаблону: столбцы перечислены справа."


class DiagnosisForm(_Crispy, forms.Form):
    competence = forms.ModelChoiceField(label="Компетенция", queryset=Competence.objects.filter(is_active=True))
    score = forms.DecimalField(label="Результат, %", min_value=0, max_value=100, decimal_places=2)
    date = forms.DateField(label="Дата диагностики", widget=_DATE)
    source = forms.CharField(label="Источник", max_length=300, help_text="Например: ЦНППМ, входная диагностика.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._crispy()

    def clean_date(self):
        from django.utils import timezone

        date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise forms.ValidationError("Дата диагностики ещё не наступила.")
        return date


class RouteCreateForm(_Crispy, forms.Form):
    year = forms.ModelChoiceField(label="Учебный год", queryset=AcademicYear.objects.all())

    def __init__(self, *args, teacher: Teacher, **kwargs):
        super().__init__(*args, **kwargs)
        self.teacher = teacher
        current = AcademicYear.current()
        if current:
            self.fields["year"].initial = current
        self._crispy()

    def clean_year(self):
        year = self.cleaned_data["year"]
        if self.teacher.routes.filter(year=year).exists():
            raise forms.ValidationError("Маршрут на этот год уже есть.")
        return year


class GoalForm(_Crispy, forms.ModelForm):
    class Meta:
        model = RouteGoal
        fields = ["title", "deficits"]
        widgets = {"deficits": forms.CheckboxSelectMultiple}

    def __init__(self, *args, deficits: QuerySet[Deficit], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deficits"].queryset = deficits
        self._crispy()


class StepForm(_Crispy, forms.ModelForm):
    class Meta:
        model = RouteStep
        fields = ["goal", "kind", "title", "starts_on", "due_on", "event", "programme", "mentorship"]
        widgets = {"starts_on": _DATE, "due_on": _DATE}
        help_texts = {
            "event": "Шаг отметится сам, когда методический центр отметит посещение.",
            "programme": "Шаг отметится сам, когда центр отметит завершение курса.",
        }

    def __init__(
        self, *args, route, events: QuerySet, programmes: QuerySet, mentorships: QuerySet[Mentorship], **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.fields["goal"].queryset = route.goals.all()
        self.fields["event"].queryset = events
        self.fields["event"].label_from_instance = lambda e: f"{e.starts_at:%d.%m.%Y} — {e.title}"
        self.fields["programme"].queryset = programmes
        self.fields["mentorship"].queryset = mentorships
        self._crispy()

    def clean(self):
        data = super().clean()
        starts, due = data.get("starts_on"), data.get("due_on")
        if starts and due and starts > due:
            self.add_error("due_on", "Срок раньше начала.")
        kind = data.get("kind")
        if data.get("programme") and kind != RouteStep.Kind.COURSE:
            self.add_error("programme", "Программа КПК указывается только для шага «Курсы повышения квалификации».")
        if data.get("event") and kind not in (RouteStep.Kind.EVENT, RouteStep.Kind.OPEN_LESSON):
            self.add_error("event", "Мероприятие указывается для шагов «Методическое мероприятие» и «Открытый урок».")
        if data.get("mentorship") and kind != RouteStep.Kind.MENTORING:
            self.add_error("mentorship", "Пара наставничества указывается только для шага «Наставничество».")
        return data


class StepStatusForm(forms.Form):
    status = forms.ChoiceField(choices=RouteStep.Status.choices)


class MentorshipForm(_Crispy, forms.ModelForm):
    class Meta:
        model = Mentorship
        fields = ["mentor", "mentee", "topic", "starts_on", "ends_on", "plan", "status"]
        widgets = {"starts_on": _DATE, "ends_on": _DATE, "plan": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, mentors: QuerySet[Teacher], mentees: QuerySet[Teacher], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mentor"].queryset = mentors
        self.fields["mentee"].queryset = mentees
        for name in ("mentor", "mentee"):
            self.fields[name].label_from_instance = lambda t: f"{t.full_name} ({t.school.short_name})"
        self._crispy()

    def clean(self):
        data = super().clean()
        if data.get("mentor") and data.get("mentor") == data.get("mentee"):
            self.add_error("mentee", "Наставник и наставляемый — разные люди.")
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", "Окончание раньше начала.")
        return data

    def validate_constraints(self):
        # The same rules are checked in clean() with messages on the right fields.
        return None


class MeetingForm(_Crispy, forms.ModelForm):
    class Meta:
        model = MentoringMeeting
        fields = ["date", "topic", "notes"]
        widgets = {"date": _DATE, "notes": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._crispy()
