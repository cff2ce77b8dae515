import django_tables2 as tables

from schools.models import School


class SchoolTable(tables.Table):
    name = tables.Column(
        verbose_name="Школа",
        accessor="organisation__short_name",
        order_by=("organisation__short_name", "organisation__name"),
        linkify=lambda record: record.get_absolute_url(),
        # The table boosts its sort and page links into #registry-table; a school's card
        # is a page of its own.
        attrs={"a": {"hx-boost": "false"}},
    )
    code = tables.Column(verbose_name="Код ОО")
    municipality = tables.Column(verbose_name="Муниципалитет", accessor="municipality__name")
    school_type = tables.Column(verbose_name="Тип")
    settlement = tables.Column(verbose_name="Местность")
    contingent = tables.Column(verbose_name="Контингент", attrs={"td": {"class": "text-end"}})
    head_name = tables.Column(verbose_name="Руководитель", orderable=False)

    class Meta:
        model = School
        fields = ("name", "code", "municipality", "school_type", "settlement", "contingent", "head_name")
        order_by = ("name",)
        empty_text = "Школ по заданным условиям нет."

    def render_name(self, record):
        return record.organisation.display_name
