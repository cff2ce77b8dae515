from crispy_forms.helper import FormHelper
from django import forms

from schools.models import Municipality, Organisation, School


class SchoolForm(forms.ModelForm):
    municipality = forms.ModelChoiceField(label="Муниципалитет", queryset=Municipality.objects.none())

    class Meta:
        model = School
        fields = [
            "code",
            "municipality",
            "school_type",
            "settlement",
            "has_primary",
            "has_basic",
            "has_secondary",
            "head_name",
            "contingent",
            "is_active",
        ]

    def __init__(self, *args, municipalities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = municipalities
        if municipalities.count() == 1:
            self.fields["municipality"].initial = municipalities.first()
        if self.instance.pk:
            # The ФИС ОКО code identifies the school in every import: it is not edited by hand.
            self.fields["code"].disabled = True
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_code(self):
        return self.cleaned_data["code"].strip().lower()


class OrganisationForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["name", "short_name", "inn", "ogrn", "address", "latitude", "longitude", "website", "email", "phone"]
        widgets = {"name": forms.TextInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean(self):
        cleaned = super().clean()
        if (cleaned.get("latitude") is None) != (cleaned.get("longitude") is None):
            raise forms.ValidationError("Координаты задаются парой: укажите и широту, и долготу.")
        return cleaned


class RegistryUploadForm(forms.Form):
    file = forms.FileField(
        label="Файл реестра (.xlsx или .csv)",
        help_text="Строка заголовков и по строке на школу; столбцы — как в шаблоне.",
    )

    def __init__(self, *args, max_bytes: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_bytes = max_bytes
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if name.endswith((".xlsm", ".xltm")):
            raise forms.ValidationError("Файлы с макросами (.xlsm) не принимаются: сохраните книгу как .xlsx.")
        if upload.size > self.max_bytes:
            raise forms.ValidationError(f"Файл больше допустимых {self.max_bytes // (1024 * 1024)} МБ.")
        head = upload.read(4096)
        upload.seek(0)
        if head.startswith(b"\xd0\xcf\x11\xe0"):
            raise forms.ValidationError("Формат .xls не поддерживается: сохраните файл как .xlsx или CSV.")
        if not head.startswith(b"PK\x03\x04") and b"\x00" in head:
            raise forms.ValidationError("Файл не похож ни на таблицу Excel (.xlsx), ни на CSV.")
        if not head.strip():
            raise forms.ValidationError("Файл пустой.")
        return upload
