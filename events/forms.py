from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from events.models import Association, Audience, Enrolment, Event, EventMaterial, Page, Practice, Programme
from events.uploads import check_upload
from schools.models import Organisation, School

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class SchoolChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: School) -> str:
        return f"{obj.organisation.display_name} ({obj.municipality.name})"


class EventForm(forms.ModelForm):
    audience = forms.MultipleChoiceField(
        label="Целевые группы", choices=Audience.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Event
        fields = [
            "kind", "title", "description", "organiser", "association", "host_school", "location", "online_url",
            "starts_at", "ends_at", "hours", "audience", "audience_subjects", "capacity",
            "publish_at", "registration_opens", "registration_closes",
        ]  # fmt: skip
        widgets = {
            "starts_at": DATETIME,
            "ends_at": DATETIME,
            "publish_at": DATETIME,
            "registration_opens": DATETIME,
            "registration_closes": DATETIME,
            "description": forms.Textarea(attrs={"rows": 8}),
        }

    def __init__(self, *args, municipalities, **kwargs):
        super().__init__(*args, **kwargs)
        kinds = (Organisation.Kind.METHODOLOGICAL_CENTRE, Organisation.Kind.ASSOCIATION, Organisation.Kind.SCHOOL)
        self.fields["organiser"].queryset = Organisation.objects.filter(municipality__in=municipalities, kind__in=kinds)
        self.fields["association"].queryset = Association.objects.filter(municipality__in=municipalities)
        self.fields["host_school"].queryset = School.objects.filter(municipality__in=municipalities).select_related(
            "organisation"
        )
        for name in ("starts_at", "ends_at", "publish_at", "registration_opens", "registration_closes"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%d.%m.%Y %H:%M"]

    def clean(self):
        data = super().clean()
        if not data.get("location") and not data.get("online_url") and not data.get("host_school"):
            raise ValidationError("Укажите площадку, место проведения или ссылку на трансляцию.")
        return data


class RegistrationForm(forms.Form):
    full_name = forms.CharField(label="Фамилия, имя, отчество", max_length=200)
    school = SchoolChoiceField(
        label="Школа", queryset=School.objects.none(), required=False, empty_label="— другая организация —"
    )
    position = forms.CharField(label="Должность", max_length=200)
    subject = forms.CharField(label="Предмет", max_length=200, required=False)
    email = forms.EmailField(label="Электронная почта", help_text="На неё придёт подтверждение и ссылка для отмены.")
    consent = forms.BooleanField(
        label="Даю согласие на обработку моих персональных данных (ФИО, место работы, должность, адрес эл. почты) "
        "методическим центром для организации мероприятия в соответствии с Федеральным законом от 27.07.2006 "
        "№ 152-ФЗ «О персональных данных».",
        error_messages={"required": "Без согласия на обработку персональных данных записаться нельзя."},
    )

    def __init__(self, *args, event: Event, **kwargs):
        super().__init__(*args, **kwargs)
        # Where the name could come from: only the schools of the organiser's municipality.
        self.fields["school"].queryset = (
            School.objects.filter(municipality=event.municipality, is_active=True)
            .select_related("organisation", "municipality")
            .order_by("organisation__short_name")
        )

    def clean_full_name(self):
        value = " ".join(self.cleaned_data["full_name"].split())
        if not any(ch.isalpha() for ch in value) or value[:1] in ("=", "+", "-", "@"):
            raise ValidationError("Укажите фамилию, имя и отчество буквами.")
        return value


class AttendanceForm(forms.Form):
    attended = forms.TypedMultipleChoiceField(coerce=int, required=False)

    def __init__(self, *args, registrations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attended"].choices = [(r.pk, r.full_name) for r in registrations]


class MaterialForm(forms.Form):
    kind = forms.ChoiceField(label="Вид", choices=EventMaterial.Kind.choices)
    title = forms.CharField(label="Название", max_length=300, required=False)
    file = forms.FileField(label="Файл", help_text="PDF, DOCX, PPTX, XLSX; фотографии — JPEG или PNG; до 20 МБ.")

    def clean(self):
        data = super().clean()
        if data.get("file"):
            check_upload(data["file"], images_only=data.get("kind") == EventMaterial.Kind.PHOTO)
        return data


class AttachmentForm(forms.Form):
    title = forms.CharField(label="Название", max_length=300, required=False)
    file = forms.FileField(label="Файл", help_text="PDF, DOCX, PPTX, XLSX, JPEG или PNG; до 20 МБ.")

    def clean_file(self):
        check_upload(self.cleaned_data["file"])
        return self.cleaned_data["file"]


class ReportForm(forms.Form):
    summary = forms.CharField(label="Итоги мероприятия (Markdown)", widget=forms.Textarea(attrs={"rows": 8}))


class CancelForm(forms.Form):
    reason = forms.CharField(label="Причина отмены", max_length=300)


class FeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(
        label="Оценка", coerce=int, choices=[(i, str(i)) for i in range(5, 0, -1)], widget=forms.RadioSelect
    )
    comment = forms.CharField(label="Что было полезно, что улучшить", widget=forms.Textarea(attrs={"rows": 4}),
                              required=False, max_length=3000)  # fmt: skip


class ProgrammeForm(forms.ModelForm):
    class Meta:
        model = Programme
        fields = ["title", "hours", "provider", "form", "audience", "description", "starts_on", "ends_on",
                  "is_published"]  # fmt: skip
        widgets = {"starts_on": DATE, "ends_on": DATE}


class EnrolmentForm(forms.ModelForm):
    class Meta:
        model = Enrolment
        fields = ["full_name", "school", "email", "enrolled_on"]
        widgets = {"enrolled_on": DATE}

    def __init__(self, *args, municipalities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = School.objects.filter(municipality__in=municipalities).select_related(
            "organisation"
        )


class CompletionForm(forms.Form):
    completed_on = forms.DateField(label="Дата окончания", widget=DATE)
    certificate_number = forms.CharField(label="Номер удостоверения", max_length=100, required=False)


class AssociationForm(forms.ModelForm):
    class Meta:
        model = Association
        fields = ["name", "subject", "head", "members", "plan_notes", "is_published"]


class PracticeForm(forms.ModelForm):
    publish = forms.BooleanField(label="Опубликовать", required=False)

    class Meta:
        model = Practice
        fields = ["title", "school", "authors", "subjects", "grades", "risk_factors", "description", "links"]

    def __init__(self, *args, municipalities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = School.objects.filter(municipality__in=municipalities).select_related(
            "organisation"
        )
        self.fields["risk_factors"].help_text = "Коды факторов риска через запятую (каталог ведётся в разделе рисков)."
        if self.instance.pk:
            self.fields["publish"].initial = self.instance.status == Practice.Status.PUBLISHED


class PageForm(forms.ModelForm):
    class Meta:
        model = Page
        fields = ["kind", "title", "slug", "body", "is_published"]
        widgets = {"body": forms.Textarea(attrs={"rows": 14})}
