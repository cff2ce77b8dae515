from django import forms

from accounts.models import Role
from core.forms import CompactFilterForm, SpreadsheetUploadForm
from monitoring.models import ImportJob, Subject
from schools.models import School


class ResultsUploadForm(SpreadsheetUploadForm):
    file_label = "Файл результатов (.xlsx, .xls, .xlsb, .ods или .csv)"
    file_help_text = (
        "Формат определяется по заголовку файла, а не по имени: отчёты ВПР (Ф1, Ф3, сравнение с журналом), "
        "протоколы РЦОИ, отчёт ЕГЭ по школам или один из шаблонов — см. список справа."
    )

    # Only for a school's ВПР «форма сбора результатов», which names none of them.
    form_school = forms.ModelChoiceField(
        label="Школа (для формы сбора результатов ВПР)", queryset=School.objects.none(), required=False
    )
    form_subject = forms.ModelChoiceField(
        label="Предмет (для формы сбора результатов ВПР)", queryset=Subject.objects.all(), required=False
    )
    form_grade = forms.IntegerField(
        label="Класс (для формы сбора результатов ВПР)", min_value=1, max_value=11, required=False
    )

    own_municipality_only = forms.BooleanField(
        label="Только строки моего муниципалитета",
        required=False,
        help_text="Для регионального файла: строки школ других муниципалитетов будут пропущены и посчитаны, "
        "а не станут ошибками.",
    )

    def __init__(self, *args, user=None, with_own_municipality_choice: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not with_own_municipality_choice:
            del self.fields["own_municipality_only"]
        schools = School.objects.select_related("organisation").order_by("organisation__short_name")
        if user is not None and not user.is_superuser:
            if user.school_id is not None and user.role == Role.DIRECTOR:
                schools = schools.filter(pk=user.school_id)
            else:
                schools = schools.filter(municipality_id=user.municipality_id)
        self.fields["form_school"].queryset = schools


class ImportJobFilterForm(CompactFilterForm):
    status = forms.ChoiceField(label="Статус", required=False, choices=[("", "Все"), *ImportJob.Status.choices])
    layout = forms.ChoiceField(label="Формат", required=False, choices=[("", "Все"), *ImportJob.Layout.choices])
    q = forms.CharField(label="Имя файла", required=False, max_length=100)

    def filter(self, queryset):
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        if data["status"]:
            queryset = queryset.filter(status=data["status"])
        if data["layout"]:
            queryset = queryset.filter(layout=data["layout"])
        if data["q"]:
            queryset = queryset.filter(original_name__icontains=data["q"])
        return queryset
