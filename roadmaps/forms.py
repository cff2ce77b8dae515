from __future__ import annotations

from django import forms

from core.idempotency import SubmitTokenField
from roadmaps.evidence import ACCEPTED, max_bytes
from roadmaps.models import Direction, MeasureProgress, MeasureStatus, Objective, ReportingPeriod, Roadmap
from schools.models import AcademicYear


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class RoadmapCreateForm(forms.Form):
    title = forms.CharField(label="Название", max_length=300)
    start_year = forms.ModelChoiceField(label="С учебного года", queryset=AcademicYear.objects.order_by("start_year"))
    end_year = forms.ModelChoiceField(label="По учебный год", queryset=AcademicYear.objects.order_by("start_year"))
    based_on = forms.ModelChoiceField(
        label="Начать с",
        queryset=Roadmap.objects.none(),
        required=False,
        empty_label="пустой карты",
        help_text="Муниципальный шаблон или программа прошлого года: задачи и мероприятия будут скопированы, "
        "сроки сдвинуты на разницу в годах.",
    )

    def __init__(self, *args, templates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["based_on"].queryset = templates
        self.fields["based_on"].label_from_instance = lambda r: f"{r.title} ({r.owner_display}, {r.period_display})"
        current = AcademicYear.current()
        if current and not self.is_bound:
            self.initial.setdefault("start_year", current.pk)
            self.initial.setdefault("end_year", current.pk)

    def clean(self):
        data = super().clean()
        start, end = data.get("start_year"), data.get("end_year")
        if start and end and end.start_year < start.start_year:
            self.add_error("end_year", "Год окончания раньше года начала.")
        return data


class RoadmapEditForm(forms.ModelForm):
    class Meta:
        model = Roadmap
        fields = ["title", "start_year", "end_year"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("start_year", "end_year"):
            self.fields[name].queryset = AcademicYear.objects.order_by("start_year")

    def clean(self):
        data = super().clean()
        start, end = data.get("start_year"), data.get("end_year")
        if start and end and end.start_year < start.start_year:
            self.add_error("end_year", "Год окончания раньше года начала.")
        return data


class ObjectiveForm(forms.ModelForm):
    class Meta:
        model = Objective
        fields = [
            "direction",
            "title",
            "risk_factor_code",
            "indicator",
            "indicator_code",
            "unit",
            "baseline_value",
            "target_value",
        ]
        widgets = {"title": forms.TextInput()}
        help_texts = {"risk_factor_code": "Для антирисковой программы: код фактора, например R3."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["direction"].choices = [("", "— выберите —"), *Direction.choices]
        from identification.catalogue import CHOICES

        self.fields["indicator_code"].widget = forms.Select(choices=[("", "— не связан с данными —"), *CHOICES])

    def clean_indicator_code(self):
        from identification.catalogue import BY_CODE

        code = self.cleaned_data.get("indicator_code", "")
        if code and code not in BY_CODE:
            raise forms.ValidationError("Такого показателя нет в каталоге.")
        return code


class MeasureForm(forms.Form):
    title = forms.CharField(label="Мероприятие", max_length=500)
    description = forms.CharField(label="Описание", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    responsible = forms.CharField(label="Ответственный", max_length=300, required=False)
    starts_on = forms.DateField(label="Начало", widget=DateInput())
    due_on = forms.DateField(label="Срок", widget=DateInput())
    expected_result = forms.CharField(label="Ожидаемый результат", required=False)
    evidence_required = forms.BooleanField(label="Нужны подтверждающие документы", required=False)

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("due_on") and data["due_on"] < data["starts_on"]:
            self.add_error("due_on", "Срок раньше начала.")
        return data


class TransitionForm(forms.Form):
    action = forms.CharField()
    comment = forms.CharField(label="Замечания", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class PeriodForm(forms.ModelForm):
    class Meta:
        model = ReportingPeriod
        fields = ["name", "opens_on", "due_on"]
        widgets = {"opens_on": DateInput(), "due_on": DateInput()}

    def clean(self):
        data = super().clean()
        if data.get("opens_on") and data.get("due_on") and data["due_on"] < data["opens_on"]:
            self.add_error("due_on", "Срок сдачи раньше открытия периода.")
        return data


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.docx,.xlsx,.jpg,.jpeg,.png"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


# Statuses a director may report («просрочено» is computed when read, never stored or chosen).
REPORTABLE = list(MeasureStatus.choices)


class ProgressForm(forms.Form):
    """The director's one-screen form: a status, %, comment and files per measure, and a self-assessment.

    ``version`` is the report's version when the page was opened (the optimistic lock).
    """

    version = forms.IntegerField(widget=forms.HiddenInput)
    self_assessment = forms.CharField(
        label="Общая самооценка", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, items: list[MeasureProgress], **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        limit = max_bytes() // (1024 * 1024)
        for item in items:
            pk = item.measure_id
            self.fields[f"status_{pk}"] = forms.ChoiceField(label="Статус", choices=REPORTABLE, initial=item.status)
            self.fields[f"percent_{pk}"] = forms.IntegerField(
                label="% выполнения", min_value=0, max_value=100, initial=item.percent
            )
            self.fields[f"comment_{pk}"] = forms.CharField(
                label="Комментарий", required=False, initial=item.comment, widget=forms.Textarea(attrs={"rows": 2})
            )
            self.fields[f"files_{pk}"] = MultipleFileField(
                label="Документы", required=False, help_text=f"{ACCEPTED}, до {limit} МБ каждый"
            )

    def rows(self):
        """(item, status, percent, comment, files) bound fields for the template."""
        for item in self.items:
            pk = item.measure_id
            yield {
                "item": item,
                "status": self[f"status_{pk}"],
                "percent": self[f"percent_{pk}"],
                "comment": self[f"comment_{pk}"],
                "files": self[f"files_{pk}"],
            }

    def clean(self):
        data = super().clean()
        for item in self.items:
            pk = item.measure_id
            if data.get(f"status_{pk}") == MeasureStatus.DONE and data.get(f"percent_{pk}") not in (None, 100):
                self.add_error(f"percent_{pk}", "Выполненное мероприятие — это 100 %.")
        return data

    def item_inputs(self):
        from roadmaps.services import ItemInput

        data = self.cleaned_data
        return {
            item.measure_id: ItemInput(
                status=data[f"status_{item.measure_id}"],
                percent=data[f"percent_{item.measure_id}"],
                comment=data[f"comment_{item.measure_id}"],
                files=data[f"files_{item.measure_id}"],
            )
            for item in self.items
        }


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", "Принять"), ("return", "Вернуть на доработку")])
    comment = forms.CharField(label="Комментарий к отчёту", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, items: list[MeasureProgress], **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            self.fields[f"note_{item.measure_id}"] = forms.CharField(
                label="Замечание по мероприятию", required=False, widget=forms.Textarea(attrs={"rows": 2})
            )

    def measure_comments(self) -> dict[int, str]:
        return {item.measure_id: self.cleaned_data.get(f"note_{item.measure_id}", "") for item in self.items}


class CommentForm(forms.Form):
    text = forms.CharField(label="Ответ", widget=forms.Textarea(attrs={"rows": 2}))
    measure = forms.IntegerField(required=False, widget=forms.HiddenInput)
    submit_token = SubmitTokenField()  # one comment per rendered form (core.idempotency)


class YearOpenForm(forms.Form):
    programmes = forms.ChoiceField(
        label="Программы школ, которые заканчиваются в текущем году",
        choices=[
            ("carry", "Продлить на следующий год (мероприятия и отчёты сохраняются)"),
            ("restart", "Начать новые на основе прошлогодних (черновики с теми же задачами, сроки на год позже)"),
        ],
        initial="carry",
        widget=forms.RadioSelect,
    )


class EscalationSettingsForm(forms.Form):
    curator_after_days = forms.IntegerField(
        label="Через сколько дней после срока сообщить куратору", min_value=1, max_value=60
    )
    department_after_days = forms.IntegerField(
        label="Через сколько дней после срока сообщить управлению образования", min_value=2, max_value=90
    )

    def clean(self):
        data = super().clean()
        n, m = data.get("curator_after_days"), data.get("department_after_days")
        if n and m and m <= n:
            self.add_error("department_after_days", "Управлению сообщается позже, чем куратору.")
        return data


class VisitForm(forms.Form):
    """A visit and up to five agreed actions (a title and a deadline each)."""

    visited_on = forms.DateField(label="Дата посещения", widget=DateInput())
    format = forms.ChoiceField(label="Формат", choices=[("onsite", "Очно"), ("remote", "Дистанционно")])
    findings = forms.CharField(label="Что увидели", widget=forms.Textarea(attrs={"rows": 4}))
    ACTIONS = 5

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for n in range(self.ACTIONS):
            self.fields[f"action_{n}"] = forms.CharField(
                label=f"Договорённость {n + 1}", required=False, max_length=500
            )
            self.fields[f"due_{n}"] = forms.DateField(label="срок", required=False, widget=DateInput())

    def clean(self):
        data = super().clean()
        actions = []
        for n in range(self.ACTIONS):
            title, due = (data.get(f"action_{n}") or "").strip(), data.get(f"due_{n}")
            if title and not due:
                self.add_error(f"due_{n}", "Укажите срок договорённости.")
            elif title:
                actions.append((title, due))
        data["actions"] = actions
        return data
