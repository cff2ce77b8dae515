from __future__ import annotations

import django_filters
from django import forms

from core.idempotency import SubmitTokenField
from core.params import MAX_YEAR, MIN_YEAR
from core.search import search
from monitoring.models import Subject
from partnerships.models import Agreement, PartnershipSettings, SupportForm
from schools.models import Organisation, School

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AgreementForm(forms.Form):
    supported_school = forms.ModelChoiceField(School.objects.none(), label="Школа, которой оказывается поддержка")
    partners = forms.ModelMultipleChoiceField(
        Organisation.objects.none(), label="Организации-партнёры", widget=forms.SelectMultiple(attrs={"size": 6})
    )
    number = forms.CharField(label="Номер договора", max_length=50, required=False)
    signed_on = forms.DateField(label="Дата договора", required=False, widget=DATE)
    starts_on = forms.DateField(label="Начало срока", required=False, widget=DATE)
    ends_on = forms.DateField(label="Окончание срока", required=False, widget=DATE)
    support_forms = forms.MultipleChoiceField(
        label="Формы поддержки", choices=SupportForm.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    subjects = forms.ModelMultipleChoiceField(
        Subject.objects.all(), label="Предметы", required=False, widget=forms.SelectMultiple(attrs={"size": 6})
    )
    activities = forms.CharField(
        label="Планируемые совместные мероприятия", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    submit_token = SubmitTokenField()  # one agreement per rendered form (core.idempotency)

    def __init__(self, *args, schools, organisations, fixed_school: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supported_school"].queryset = schools.select_related("organisation")
        self.fields["partners"].queryset = organisations
        if fixed_school:
            self.fields["supported_school"].disabled = True

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", "Срок окончания раньше начала.")
        school, partners = data.get("supported_school"), data.get("partners") or []
        if school and any(p.pk == school.organisation_id for p in partners):
            self.add_error("partners", "Школа не может быть партнёром самой себе.")
        return data


class TerminateForm(forms.Form):
    reason = forms.CharField(label="Причина расторжения", widget=forms.Textarea(attrs={"rows": 2}))


class ScanForm(forms.Form):
    scan = forms.FileField(label="Скан подписанного договора (PDF, JPEG или PNG, до 10 МБ)")


class AssessmentForm(forms.Form):
    results = forms.CharField(label="Итоги сотрудничества", widget=forms.Textarea(attrs={"rows": 3}))
    rating = forms.TypedChoiceField(
        label="Оценка результативности", choices=[(n, str(n)) for n in range(5, 0, -1)], coerce=int
    )


class CandidateForm(forms.Form):
    organisation = forms.ModelChoiceField(Organisation.objects.none(), label="Организация")
    strengths = forms.CharField(label="Чем может помочь", max_length=500, required=False)

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class SettingsForm(forms.ModelForm):
    class Meta:
        model = PartnershipSettings
        fields = ["agreement_cap", "yearly_target"]


class StableOrdering(django_filters.OrderingFilter):
    """The chosen order, then the id: pages of equal dates neither repeat nor skip a row."""

    def filter(self, qs, value):
        qs = super().filter(qs, value)
        return qs.order_by(*qs.query.order_by, "pk") if value else qs


class AgreementFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Поиск", method="search_text")
    status = django_filters.ChoiceFilter(label="Статус", choices=Agreement.Status.choices, empty_label="Все")
    supported_school = django_filters.ModelChoiceFilter(
        label="Школа", queryset=School.objects.none(), empty_label="Все школы"
    )
    # Bounded: ?year=-1 or twenty digits must be ignored (an invalid filter field), not reach the database.
    year = django_filters.NumberFilter(
        label="Год договора",
        field_name="signed_on",
        lookup_expr="year",
        min_value=MIN_YEAR,
        max_value=MAX_YEAR,
        decimal_places=0,
    )
    # Sorting, kept in the pagination links with the filters (issue #20: a region has thousands).
    sort = StableOrdering(
        label="Сортировка",
        fields=(
            ("signed_on", "date"),
            ("number", "number"),
            ("supported_school__organisation__short_name", "school"),
            ("status", "status"),
        ),
        field_labels={
            "-date": "Сначала новые",
            "date": "Сначала старые",
            "number": "По номеру",
            "school": "По школе",
            "status": "По статусу",
        },
        empty_label="Как заведены",
    )

    class Meta:
        model = Agreement
        fields = ["q", "status", "supported_school", "year", "sort"]

    def __init__(self, *args, schools=None, **kwargs):
        super().__init__(*args, **kwargs)
        if schools is not None:
            self.filters["supported_school"].queryset = schools.select_related("organisation")

    def search_text(self, queryset, name, value):
        fields = ["number", "supported_school__organisation__short_name", "partners__short_name", "partners__name"]
        return search(queryset, value, fields).distinct()


def agreement_filter(data, *, user) -> AgreementFilter:
    """The register's filters over the user's agreements (the page and its XLSX, reports.documents)."""
    from partnerships.selectors import agreement_list, agreements_for
    from schools.scopes import schools_for

    # The school filter offers the schools that have an agreement, not the whole scope (a
    # region's registry is thousands of options on every view, issue #20).
    with_agreements = agreements_for(user).values("supported_school_id")
    return AgreementFilter(
        data,
        queryset=agreement_list(user=user),
        schools=schools_for(user).filter(pk__in=with_agreements),
    )
