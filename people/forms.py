"""Forms of the people pages: what a manager may give is all the choices offer."""

from crispy_forms.helper import FormHelper
from django import forms

from accounts.models import Role
from people.rules import managed_roles, municipalities_for_people, schools_for_people


class PersonForm(forms.Form):
    """Invite or change an account; the choices are only what the manager may give."""

    last_name = forms.CharField(label="Фамилия", max_length=150)
    first_name = forms.CharField(label="Имя", max_length=150)
    middle_name = forms.CharField(label="Отчество", max_length=150, required=False)
    email = forms.EmailField(label="Эл. почта", help_text="На этот адрес придёт ссылка, чтобы задать пароль.")
    position = forms.CharField(label="Должность", max_length=200, required=False)
    role = forms.ChoiceField(label="Роль")
    municipality = forms.ModelChoiceField(label="Муниципалитет", queryset=None, required=False)
    school = forms.ModelChoiceField(
        label="Школа", queryset=None, required=False, help_text="Для руководителя и учителя."
    )
    curated_schools = forms.ModelMultipleChoiceField(
        label="Курируемые школы",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Только для куратора.",
    )

    def __init__(self, *args, manager, editing=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", "—")] + [(r, Role(r).label) for r in managed_roles(manager)]
        municipalities = municipalities_for_people(manager)
        schools = schools_for_people(manager).order_by("organisation__name")
        self.fields["municipality"].queryset = municipalities
        self.fields["school"].queryset = schools
        self.fields["school"].label_from_instance = lambda s: f"{s.organisation.display_name} ({s.code})"
        self.fields["curated_schools"].queryset = schools
        self.fields["curated_schools"].label_from_instance = lambda s: s.organisation.display_name
        if manager.role == Role.DEPARTMENT:
            # One municipality: the department's own, filled by the service.
            del self.fields["municipality"]
        if editing is not None:
            del self.fields["email"]
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean(self):
        data = super().clean()
        role = data.get("role")
        if role in (Role.DIRECTOR, Role.TEACHER) and not data.get("school"):
            self.add_error("school", "Для руководителя и учителя укажите школу.")
        needs_municipality = role in (Role.DEPARTMENT, Role.METHODOLOGIST, Role.CURATOR)
        if needs_municipality and "municipality" in self.fields and not data.get("municipality"):
            self.add_error("municipality", "Укажите муниципалитет.")
        return data


class PeopleUploadForm(forms.Form):
    file = forms.FileField(label="Файл XLSX или CSV", help_text="Столбцы как в шаблоне; первая строка — заголовки.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
