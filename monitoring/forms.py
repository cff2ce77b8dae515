from crispy_forms.helper import FormHelper
from django import forms

from monitoring.models import ImportJob


class ResultsUploadForm(forms.Form):
    file = forms.FileField(
        label="Файл результатов (.xlsx или .csv)",
        help_text="Формат определяется по заголовку файла: Ф1 ВПР, протокол РЦОИ или шаблон контекстных данных.",
    )

    def __init__(self, *args, max_bytes: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_bytes = max_bytes
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.name.lower().endswith((".xlsm", ".xltm")):
            raise forms.ValidationError("Файлы с макросами (.xlsm) не принимаются: сохраните книгу как .xlsx.")
        if upload.size > self.max_bytes:
            raise forms.ValidationError(f"Файл больше допустимых {self.max_bytes // (1024 * 1024)} МБ.")
        head = upload.read(4096)
        upload.seek(0)
        if head.startswith(b"\xd0\xcf\x11\xe0"):
            raise forms.ValidationError("Формат .xls не поддерживается: сохраните файл как .xlsx или CSV.")
        if not head.strip():
            raise forms.ValidationError("Файл пустой.")
        if not head.startswith(b"PK\x03\x04") and b"\x00" in head:
            raise forms.ValidationError("Файл не похож ни на таблицу Excel (.xlsx), ни на CSV.")
        return upload


class ImportJobFilterForm(forms.Form):
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
