from __future__ import annotations

from django import forms

from analytics.models import TaskCatalogueItem
from core.forms import SpreadsheetUploadForm
from monitoring.models import Procedure, Subject
from schools.models import AcademicYear


class CatalogueUploadForm(SpreadsheetUploadForm):
    file_label = "Кодификатор (.xlsx или .csv по шаблону)"
    file_help_text = "Одна строка — одно задание: задание, проверяемое умение, КЭС, КТ, раздел/тема, уровень сложности."

    year = forms.ModelChoiceField(label="Учебный год", queryset=AcademicYear.objects.order_by("-start_year"))
    procedure = forms.ChoiceField(label="Процедура", choices=Procedure.choices, initial=Procedure.VPR)
    subject = forms.ModelChoiceField(label="Предмет", queryset=Subject.objects.order_by("name"))
    grade = forms.IntegerField(label="Класс", min_value=1, max_value=11)
    source_document = forms.CharField(label="Документ-основание", max_length=300, required=False)

    field_order = ["year", "procedure", "subject", "grade", "source_document", "file"]


class CatalogueItemForm(forms.ModelForm):
    class Meta:
        model = TaskCatalogueItem
        fields = ["skill", "kes", "kt", "section", "difficulty"]
