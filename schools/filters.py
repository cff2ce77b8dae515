import django_filters
from django.db.models import Exists, OuterRef

from core.search import search
from identification.models import ACTIVE, SchoolStatus, StatusKind
from schools.models import Municipality, School


class SchoolFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Поиск", method="search")
    municipality = django_filters.ModelChoiceFilter(
        label="Муниципалитет", queryset=Municipality.objects.none(), empty_label="Все"
    )
    school_type = django_filters.ChoiceFilter(label="Тип", choices=School.Type.choices, empty_label="Все")
    settlement = django_filters.ChoiceFilter(label="Местность", choices=School.Settlement.choices, empty_label="Все")
    is_active = django_filters.BooleanFilter(label="Действует")
    # Active statuses of the current academic year (identification.models.SchoolStatus).
    status = django_filters.ChoiceFilter(
        label="Статус", choices=StatusKind.choices, empty_label="Все", method="by_status"
    )

    class Meta:
        model = School
        fields = ["q", "municipality", "school_type", "settlement", "is_active", "status"]

    def __init__(self, *args, municipalities=None, **kwargs):
        super().__init__(*args, **kwargs)
        if municipalities is not None:
            self.filters["municipality"].queryset = municipalities

    def search(self, queryset, name, value):
        return search(queryset, value, ["code", "organisation__name", "organisation__short_name", "head_name"])

    def by_status(self, queryset, name, value):
        current = SchoolStatus.objects.filter(ACTIVE, kind=value, year__is_current=True, school=OuterRef("pk"))
        return queryset.filter(Exists(current))
