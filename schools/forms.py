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
            "rcoi_code",
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

    def clean(self):
        cleaned = super().clean()
        rcoi, municipality = cleaned.get("rcoi_code"), cleaned.get("municipality")
        if rcoi and municipality is not None:
            # РЦОИ numbers are the region's own: unique within a region, not across regions.
            taken = School.objects.filter(rcoi_code=rcoi, municipality__region_id=municipality.region_id)
            if self.instance.pk:
                taken = taken.exclude(pk=self.instance.pk)
            other = taken.select_related("organisation").first()
            if other is not None:
                self.add_error("rcoi_code", f"Код РЦОИ {rcoi} уже у школы «{other.short_name}» ({other.code}).")
        return cleaned


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
    file_help_text = (
        "Строка заголовков и по строке на школу. Столбцы — как в шаблоне или свои: "
        "их можно будет сопоставить с полями реестра на следующем шаге."
    )
    import_valid_only = forms.BooleanField(
        label="Загрузить правильные строки, даже если в других есть ошибки",
        required=False,
        help_text="Строки с ошибками не записываются и перечисляются на странице загрузки.",
    )


class RegistryMappingForm(forms.Form):
    """The mapping step: a registry field for each column of a foreign register, and the
    file's own words for types and settlement kinds."""

    import_valid_only = forms.BooleanField(
        label="Загрузить правильные строки, даже если в других есть ошибки", required=False
    )

    def __init__(self, *args, header: list[str], samples: list[list[str]], suggested: dict[str, int],
                 unknown_values: dict[str, list[str]], import_valid_only: bool, **kwargs):  # fmt: skip
        super().__init__(*args, **kwargs)
        from schools.registry_format import COLUMNS

        field_choices = [("", "— не загружать —")] + [(c.key, c.title) for c in COLUMNS]
        by_col = {col: key for key, col in suggested.items()}
        self.column_rows = []
        for col, title in enumerate(header):
            name = f"col_{col}"
            self.fields[name] = forms.ChoiceField(
                label=title or f"(столбец {col + 1} без заголовка)",
                choices=field_choices,
                required=False,
                initial=by_col.get(col, ""),
            )
            self.fields[name].widget.attrs["class"] = "form-select form-select-sm"
            self.column_rows.append((col, title, samples[col] if col < len(samples) else [], name))
        self.column_fields = [(title, col_samples, self[name]) for _col, title, col_samples, name in self.column_rows]
        self.value_rows = []
        for key, values in unknown_values.items():
            choices = School.Type.choices if key == "school_type" else School.Settlement.choices
            for index, value in enumerate(values):
                name = f"value_{key}_{index}"
                self.fields[name] = forms.ChoiceField(
                    label=value, choices=[("", "— ошибка в строке —"), *choices], required=False
                )
                self.fields[name].widget.attrs["class"] = "form-select form-select-sm"
                self.value_rows.append((key, value, name))
        self.value_fields = [(key, value, self[name]) for key, value, name in self.value_rows]
        self.fields["import_valid_only"].initial = import_valid_only
        self.header = header

    def clean(self):
        cleaned = super().clean()
        from schools.registry_format import COLUMN_BY_KEY, COLUMNS

        columns: dict[str, int] = {}
        for col, _title, _samples, name in self.column_rows:
            key = cleaned.get(name)
            if not key:
                continue
            if key in columns:
                self.add_error(name, f"Поле «{COLUMN_BY_KEY[key].title}» уже выбрано для другого столбца.")
            columns[key] = col
        missing = [c.title for c in COLUMNS if c.required and c.key not in columns]
        if missing:
            raise forms.ValidationError("Не выбраны обязательные поля: " + ", ".join(missing) + ".")
        values: dict[str, dict[str, str]] = {}
        from core.tabular import normalise_header

        for key, value, name in self.value_rows:
            if cleaned.get(name):
                values.setdefault(key, {})[normalise_header(value)] = cleaned[name]
        cleaned["columns"] = columns
        cleaned["values"] = values
        return cleaned


class MunicipalityForm(forms.ModelForm):
    class Meta:
        model = Municipality
        fields = ["name", "oktmo", "fis_oko_code"]

    def __init__(self, *args, region, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.region = region
        self.fields["oktmo"].required = True
        self.helper = FormHelper()
        self.helper.form_tag = False
