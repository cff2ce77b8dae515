from __future__ import annotations

from django import forms
from django.forms import formset_factory

from core.uploads import upload_check
from identification import isbsh
from identification.catalogue import BY_CODE, CHOICES, ISBSH_FACTORS
from identification.models import MethodologyVersion, Operator, Pool, StatusKind
from monitoring.models import Subject
from schools.models import AcademicYear, Municipality

DATE_INPUT = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")


class RunCreateForm(forms.Form):
    version = forms.ModelChoiceField(label="Методика (версия)", queryset=MethodologyVersion.objects.none())
    year = forms.ModelChoiceField(label="Учебный год", queryset=AcademicYear.objects.all(), empty_label=None)
    municipality = forms.ModelChoiceField(label="Муниципалитет", queryset=Municipality.objects.none(), empty_label=None)

    def __init__(self, *args, versions, municipalities, regions=None, **kwargs):
        """``regions`` (the region role): the run covers every school of the chosen region
        instead of one municipality."""
        super().__init__(*args, **kwargs)
        self.fields["version"].queryset = versions
        if regions is not None:
            del self.fields["municipality"]
            self.fields["region"] = forms.ModelChoiceField(
                label="Регион (все муниципалитеты)", queryset=regions, empty_label=None
            )
        else:
            self.fields["municipality"].queryset = municipalities
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select"


class ApproveForm(forms.Form):
    """The run page's list: which proposals to approve (the decision's details may come along
    and are asked for again on the confirmation page)."""

    schools = forms.TypedMultipleChoiceField(label="Школы", coerce=int, widget=forms.CheckboxSelectMultiple)
    decision_number = forms.CharField(label="Номер решения (приказа)", max_length=50, required=False)
    decision_date = forms.DateField(label="Дата решения", widget=DATE_INPUT, required=False)

    def __init__(self, *args, results, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["schools"].choices = [(r.school_id, r.school.short_name) for r in results]
        self.fields["schools"].error_messages["required"] = "Отметьте хотя бы одну школу."
        self.fields["decision_number"].widget.attrs["class"] = "form-control"


MAX_DECISION_FILE_BYTES = 10 * 1024 * 1024


class DecisionForm(forms.Form):
    """The decision (приказ) every change of the confirmation page is applied under."""

    decision_number = forms.CharField(label="Номер приказа", max_length=50)
    decision_date = forms.DateField(label="Дата приказа", widget=DATE_INPUT)
    decision_file = forms.FileField(label="Файл приказа (PDF)", required=False)
    keep = forms.TypedMultipleChoiceField(
        label="Оставить статус", coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, revocable=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["keep"].choices = [(s.pk, str(s.school)) for s in revocable]
        self.fields["decision_number"].widget.attrs["class"] = "form-control"
        self.fields["decision_file"].widget.attrs.update({"class": "form-control", "accept": "application/pdf"})

    def clean_decision_file(self):
        upload = self.cleaned_data.get("decision_file")
        if upload is None:
            return None
        if upload.size > MAX_DECISION_FILE_BYTES:
            raise forms.ValidationError("Файл приказа больше 10 МБ.")
        # The one validator of every upload (core.uploads): a PDF pypdf can read, not any bytes after «%PDF-».
        upload_check(upload, name=upload.name, kinds={"pdf"}, max_bytes=MAX_DECISION_FILE_BYTES)
        return upload


class StatusSetForm(forms.Form):
    year = forms.ModelChoiceField(label="Учебный год", queryset=AcademicYear.objects.all(), empty_label=None)
    kind = forms.ChoiceField(label="Статус", choices=StatusKind.choices)
    reason = forms.CharField(label="Обоснование", widget=forms.Textarea(attrs={"rows": 3}))
    decision_number = forms.CharField(label="Номер решения (приказа)", max_length=50, required=False)
    decision_date = forms.DateField(label="Дата решения", required=False, widget=DATE_INPUT)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("year", "kind"):
            self.fields[name].widget.attrs["class"] = "form-select"
        for name in ("reason", "decision_number"):
            self.fields[name].widget.attrs["class"] = "form-control"


class RevokeForm(forms.Form):
    reason = forms.CharField(label="Причина отмены", widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}))


class VersionForm(forms.Form):
    source_document = forms.CharField(label="Документ-основание", max_length=300, required=False)
    first_year = forms.IntegerField(label="Применяется с (год начала)", required=False, min_value=2000, max_value=2100)
    last_year = forms.IntegerField(label="Применяется по (год начала)", required=False, min_value=2000, max_value=2100)
    required_count = forms.IntegerField(
        label="Сколько критериев должно выполняться (0 — все)", min_value=0, max_value=20, initial=1
    )
    max_interval_width = forms.FloatField(
        label="Надёжность: наибольшая ширина доверительного интервала доли, п.п. (пусто — не проверять)",
        required=False,
        min_value=1,
        max_value=100,
    )
    pool_two_years = forms.BooleanField(
        label="Малые школы: если даже вместе параллели одного уровня меньше минимума — объединять с прошлым годом",
        required=False,
    )

    isbsh_small_school = forms.IntegerField(
        label="ИСБШ: малочисленная школа — меньше стольких обучающихся",
        min_value=1,
        max_value=5000,
        initial=500,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # ИСБШ weights belong to the version (identification.isbsh): one field per factor.
        for code, name, default, adverse in ISBSH_FACTORS:
            self.fields[f"w_{code}"] = forms.DecimalField(
                label=f"Вес ИСБШ: {name}" + ("" if adverse else " (снижает трудность)"),
                min_value=0,
                max_value=100,
                max_digits=5,
                decimal_places=2,
                initial=default,
                required=False,
                widget=forms.NumberInput(attrs={"step": "0.5"}),
            )
        for name, field in self.fields.items():
            field.widget.attrs["class"] = "form-check-input" if name == "pool_two_years" else "form-control"

    @staticmethod
    def initial_of(version: MethodologyVersion) -> dict:
        initial = {name: getattr(version, name) for name in VERSION_FIELDS}
        weights = dict(isbsh.scale_of(version).weights)
        initial.update({f"w_{code}": weights[code] for code, *_ in ISBSH_FACTORS})
        return initial

    def version_fields(self) -> dict:
        """The model fields of the version as edited (the weights gathered into one mapping); an
        ИСБШ field left empty keeps the version's value (``initial_of``)."""
        data = self.cleaned_data

        def given(name: str):
            value = data.get(name)
            return self.initial.get(name, self.fields[name].initial) if value is None else value

        fields = {name: data.get(name) for name in VERSION_FIELDS}
        fields["isbsh_small_school"] = given("isbsh_small_school")
        fields["isbsh_weights"] = {code: float(given(f"w_{code}")) for code, *_ in ISBSH_FACTORS}
        return fields

    def clean(self):
        data = super().clean()
        first, last = data.get("first_year"), data.get("last_year")
        if first and last and first > last:
            raise forms.ValidationError("Год начала действия позже года окончания.")
        weights = [data.get(f"w_{code}") for code, *_ in ISBSH_FACTORS]
        if all(weight is not None for weight in weights) and not any(weights):  # all given, all zero
            raise forms.ValidationError("Хотя бы один вес фактора ИСБШ должен быть больше нуля.")
        return data


VERSION_FIELDS = (
    "source_document",
    "first_year",
    "last_year",
    "required_count",
    "max_interval_width",
    "pool_two_years",
    "isbsh_small_school",
)


# ЕГЭ values exist per subject (no grade: the report is by school and subject); ВПР and ОГЭ
# per subject *and* grade; all of them school-wide as well (identification.indicators).
SUBJECT_ONLY = ("ege_below_min",)
CRITERION_NO_SLICES = "Показатель «{name}» считается только по школе в целом: уберите предмет и класс."
CRITERION_SUBJECT_AND_GRADE = (
    "Показатель «{name}» считается по школе в целом или по предмету в одном классе: "
    "укажите и предмет, и класс, или оставьте оба пустыми."
)
CRITERION_NO_GRADE = "Показатель «{name}» считается по предмету без деления на классы: уберите класс."
CRITERION_OGE_GRADE = "ОГЭ сдают в 9 классе: для показателя «{name}» укажите класс 9."


def criterion_scope_error(indicator: str | None, subject, grade: int | None) -> str:
    """Why no indicator value can exist for this (indicator, subject, grade), or «»."""
    spec = BY_CODE.get(indicator or "")
    if spec is None:
        return ""
    has_subject, has_grade = subject is not None, grade is not None
    if not spec.by_subject and (has_subject or has_grade):
        return CRITERION_NO_SLICES.format(name=spec.name)
    if spec.code in SUBJECT_ONLY:
        return CRITERION_NO_GRADE.format(name=spec.name) if has_grade else ""
    if has_subject != has_grade:
        return CRITERION_SUBJECT_AND_GRADE.format(name=spec.name)
    if spec.code.startswith("oge_") and has_grade and grade != 9:
        return CRITERION_OGE_GRADE.format(name=spec.name)
    return ""


class CriterionForm(forms.Form):
    # Every field has the initial its widget shows, so the blank row for a new criterion
    # counts as unchanged (and is skipped) unless the user fills it.
    indicator = forms.ChoiceField(label="Показатель", choices=[("", "— показатель —"), *CHOICES])
    subject = forms.ModelChoiceField(
        label="Предмет", queryset=Subject.objects.all(), required=False, empty_label="все предметы"
    )
    grade = forms.IntegerField(label="Класс", required=False, min_value=1, max_value=11)
    pool = forms.ChoiceField(label="Сравнение внутри", choices=Pool.choices, initial=Pool.MUNICIPALITY)
    operator = forms.ChoiceField(label="Условие", choices=Operator.choices, initial=Operator.BOTTOM)
    value = forms.FloatField(label="Значение")
    min_participants = forms.IntegerField(label="Мин. участников", min_value=1, initial=10)
    consecutive_years = forms.IntegerField(label="Лет подряд", min_value=1, max_value=5, initial=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.widget.attrs["class"] = "form-select form-select-sm" if name in (
                "indicator", "subject", "pool", "operator"
            ) else "form-control form-control-sm"  # fmt: skip

    def clean(self):
        data = super().clean()
        message = criterion_scope_error(data.get("indicator"), data.get("subject"), data.get("grade"))
        if message:
            raise forms.ValidationError(message)
        operator, value = data.get("operator"), data.get("value")
        percentile = (Operator.BOTTOM, Operator.TOP, Operator.ENTER_BOTTOM)
        if operator in percentile and value is not None and not 0 < value <= 100:
            raise forms.ValidationError("Процент для нижних/верхних групп — от 0 до 100.")
        return data


CriterionFormSet = formset_factory(CriterionForm, extra=1, can_delete=True, min_num=1, validate_min=True)
