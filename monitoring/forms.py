from django import forms

from core.forms import CompactFilterForm, SpreadsheetUploadForm
from monitoring.models import ImportJob


class ResultsUploadForm(SpreadsheetUploadForm):
    file_label = "Файл результатов (.xlsx, .xls, .xlsb, .ods или .csv)"
    file_help_text = (
        "Формат определяется по заголовку файла, а не по имени: отчёты ВПР (Ф1, Ф3, сравнение с журналом), "
        "протоколы РЦОИ, отчёт ЕГЭ по школам или один из шаблонов — см. список справа."
    )


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
