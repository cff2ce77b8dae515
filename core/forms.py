"""Forms shared across apps: spreadsheet uploads and compact filter bars."""

from crispy_forms.helper import FormHelper
from django import forms


class SpreadsheetUploadForm(forms.Form):
    """One spreadsheet (XLSX, XLS, XLSB, ODS) or CSV file, checked by size and first bytes before it is stored.

    Subclasses set the field's label and help text; the full inspection (zip structure,
    macros, encodings) happens when the file is read (core.tabular).
    """

    file_label = "Файл (.xlsx, .xls, .ods или .csv)"
    file_help_text = ""

    file = forms.FileField()

    def __init__(self, *args, max_bytes: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_bytes = max_bytes
        self.fields["file"].label = self.file_label
        self.fields["file"].help_text = self.file_help_text
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
        if not head.strip():
            raise forms.ValidationError("Файл пустой.")
        if not head.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")) and b"\x00" in head:
            raise forms.ValidationError("Файл не похож ни на таблицу Excel (.xlsx), ни на CSV.")
        return upload


class CompactFilterForm(forms.Form):
    """A filter above a list: small Bootstrap controls in one row; subclasses define ``filter()``."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = (
                "form-select form-select-sm" if isinstance(field, forms.ChoiceField) else "form-control form-control-sm"
            )
            field.widget.attrs["class"] = css
