import django_filters

from core.extensions import app_modules
from core.search import search
from schools.models import Municipality, School


class SchoolFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Поиск", method="search")
    municipality = django_filters.ModelChoiceFilter(
        label="Муниципалитет", queryset=Municipality.objects.none(), empty_label="Все"
    )
    school_type = django_filters.ChoiceFilter(label="Тип", choices=School.Type.choices, empty_label="Все")
    settlement = django_filters.ChoiceFilter(label="Местность", choices=School.Settlement.choices, empty_label="Все")
    is_active = django_filters.BooleanFilter(label="Действует")

    class Meta:
        model = School
        fields = ["q", "municipality", "school_type", "settlement", "is_active"]

    def __init__(self, *args, municipalities=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Apps above the registry add their filters (identification: the school's status this
        # year) through <app>.registry_filters.FILTERS (core.extensions).
        for module in app_modules("registry_filters"):
            for name, make in module.FILTERS.items():
                self.filters[name] = make()
                self.filters[name].parent = self
        if municipalities is not None:
            self.filters["municipality"].queryset = municipalities

    def search(self, queryset, name, value):
        return search(queryset, value, ["code", "organisation__name", "organisation__short_name", "head_name"])
