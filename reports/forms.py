"""The request form: a kind and its parameters, each choice limited to the user's scope."""

from __future__ import annotations

from django import forms

from reports import documents
from reports.models import Format, Kind
from roadmaps.selectors import periods_for
from schools.models import AcademicYear
from schools.scopes import municipalities_for, schools_for

# Which parameters each kind needs (the rest of the form is ignored for it).
NEEDS = {
    Kind.PASSPORT: ("school", "year"),
    Kind.ROADMAP_EXECUTION: ("period",),
    Kind.YEAR_RESULTS: ("municipality", "year"),
    Kind.AGREEMENTS: (),
    Kind.EVENTS: ("date_from", "date_to"),
    Kind.IDENTIFICATION: ("run",),
    Kind.REGISTRY: (),
}


class ReportRequestForm(forms.Form):
    kind = forms.ChoiceField(label="Вид отчёта")
    format = forms.ChoiceField(label="Формат", choices=Format.choices, initial=Format.PDF)
    school = forms.ModelChoiceField(label="Школа", queryset=None, required=False)
    run = forms.ModelChoiceField(label="Запуск выявления", queryset=None, required=False)
    period = forms.ModelChoiceField(label="Отчётный период", queryset=None, required=False)
    municipality = forms.ModelChoiceField(label="Муниципалитет", queryset=None, required=False)
    year = forms.ModelChoiceField(label="Учебный год", queryset=AcademicYear.objects.all(), required=False)
    date_from = forms.DateField(
        label="Период с", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    date_to = forms.DateField(
        label="по", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        readers = user.is_superuser or user.role in documents.MUNICIPAL_READERS
        # The registry is ordered from the registry page, with its filters (reports:registry_export).
        kinds = [(k, label) for k, label in Kind.choices if k in documents.BUILDERS and k not in documents.XLSX_ONLY]
        if not readers:
            kinds = [(k, label) for k, label in kinds if k in (Kind.PASSPORT, Kind.AGREEMENTS, Kind.ROADMAP_EXECUTION)]
        self.fields["date_from"].help_text = "Для отчёта о мероприятиях."
        self.fields["kind"].choices = kinds
        self.fields["school"].queryset = schools_for(user).select_related("organisation").order_by("organisation__name")
        self.fields["school"].help_text = "Для паспорта школы; для отчёта о выполнении — программа этой школы."
        self.fields["period"].queryset = periods_for(user=user).order_by("-due_on")
        if documents.identification_available():
            from identification.selectors import runs_for

            self.fields["run"].queryset = runs_for(user=user).filter(status="done").order_by("-created_at")
            self.fields["run"].help_text = "Для аналитического отчёта по выявлению."
        else:
            del self.fields["run"]
        self.fields["municipality"].queryset = municipalities_for(user).order_by("name")
        self.fields["municipality"].help_text = "Для итогов года; для реестра договоров — пусто значит все доступные."
        self.fields["year"].queryset = AcademicYear.objects.order_by("-start_year")
        self.fields["year"].help_text = "Пусто — текущий учебный год."

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if not kind:
            return data
        if data.get("format") == Format.XLSX and kind not in documents.TABULAR:
            self.add_error("format", "Этот отчёт формируется только в PDF.")
        for name in NEEDS.get(kind, ()):
            if name != "year" and not data.get(name):
                self.add_error(name, "Выберите значение: без него этот отчёт не сформировать.")
        if (
            kind == Kind.ROADMAP_EXECUTION
            and not data.get("school")
            and not (self.user.is_superuser or self.user.role in documents.MUNICIPAL_READERS)
        ):
            self.add_error("school", "Выберите школу: вам доступен отчёт о выполнении программы своей школы.")
        return data

    def params(self) -> dict:
        data = self.cleaned_data
        kind = data["kind"]
        wanted = set(NEEDS.get(kind, ()))
        if kind == Kind.ROADMAP_EXECUTION:
            wanted.add("school")
        if kind in (Kind.AGREEMENTS, Kind.EVENTS):
            wanted.add("municipality")
        params = {}
        for name in sorted(wanted):
            value = data.get(name)
            if value:
                params[name] = value.isoformat() if name.startswith("date_") else value.pk
        return params

    def title(self) -> str:
        data = self.cleaned_data
        parts = [dict(Kind.choices)[data["kind"]]]
        params = self.params()
        for name in ("run", "school", "period", "municipality", "year"):
            if data.get(name) and name in params:
                parts.append(str(data[name]))
        if "date_from" in params:
            parts.append(f"{data['date_from']:%d.%m.%Y} – {data['date_to']:%d.%m.%Y}")
        return " — ".join(parts)
