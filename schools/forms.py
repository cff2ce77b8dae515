from crispy_forms.helper import FormHelper
from django import forms

from core.forms import SpreadsheetUploadForm
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


class RegistryUploadForm(SpreadsheetUploadForm):
    file_label = "Файл реестра (.xlsx или .csv)"
    file_help_text = "Строка заголовков и по строке на школу; столбцы — как в шаблоне."
