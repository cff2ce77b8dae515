from __future__ import annotations

from django import forms

from risks.models import ANSWER_SCALE, DataSource, ObjectivitySignal, RiskFactor
from risks.services import THRESHOLDS_REVERSED


class SignalReviewForm(forms.Form):
    review = forms.ChoiceField(label="Итог проверки", choices=ObjectivitySignal.Review.choices)
    comment = forms.CharField(
        label="Комментарий", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class RiskFactorForm(forms.Form):
    name = forms.CharField(label="Название", max_length=200)
    description = forms.CharField(label="Описание", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    data_source = forms.ChoiceField(label="Расчёт по данным", choices=DataSource.choices, required=False)
    medium_from = forms.DecimalField(label="Средний уровень от", required=False, min_value=0, max_digits=6)
    high_from = forms.DecimalField(label="Высокий уровень от", required=False, min_value=0, max_digits=6)
    questions = forms.CharField(
        label="Утверждения самодиагностики (по одному в строке)",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=3000,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.widget.attrs["class"] = "form-select" if name == "data_source" else "form-control"

    def clean_questions(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data["questions"].splitlines() if line.strip()]
        if not lines:
            raise forms.ValidationError("Нужно хотя бы одно утверждение.")
        if any(len(line) > 300 for line in lines):
            raise forms.ValidationError("Утверждение длиннее 300 знаков: сократите его.")
        return lines

    def clean(self):
        data = super().clean()
        medium, high = data.get("medium_from"), data.get("high_from")
        if data.get("data_source") and (medium is None or high is None):
            raise forms.ValidationError("Для расчёта по данным укажите оба порога.")
        if medium is not None and high is not None and medium > high:
            raise forms.ValidationError(THRESHOLDS_REVERSED)
        return data

    @classmethod
    def initial_for(cls, factor: RiskFactor) -> dict:
        return {
            "name": factor.name,
            "description": factor.description,
            "data_source": factor.data_source,
            "medium_from": factor.medium_from,
            "high_from": factor.high_from,
            "questions": "\n".join(q.text for q in factor.questions.all()),
        }


class SelfDiagnosisForm(forms.Form):
    """One radio group per statement of the current factors; a draft may leave some empty."""

    def __init__(self, *args, factors: list[RiskFactor], answers: dict[int, int], disabled: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.groups = []
        for factor in factors:
            names = []
            for question in factor.questions.all():
                name = f"q_{question.pk}"
                self.fields[name] = forms.TypedChoiceField(
                    label=question.text,
                    choices=ANSWER_SCALE,
                    coerce=int,
                    required=False,
                    widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                    initial=answers.get(question.pk),
                    disabled=disabled,
                )
                names.append(name)
            self.groups.append((factor, [self[n] for n in names]))

    def answers(self) -> dict[int, int]:
        return {
            int(name[2:]): value
            for name, value in self.cleaned_data.items()
            if name.startswith("q_") and value not in (None, "")
        }

    def clean(self):
        data = super().clean()
        if "submit" in self.data:
            missing = [f.label for n, f in self.fields.items() if n.startswith("q_") and data.get(n) in (None, "")]
            if missing:
                raise forms.ValidationError(
                    f"Чтобы отправить самодиагностику, ответьте на все утверждения (без ответа: {len(missing)}). "
                    "Черновик можно сохранить и без них."
                )
        return data
