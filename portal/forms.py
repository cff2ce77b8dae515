"""The audit log's filter."""

from django import forms

from core.audit import audit_actions
from core.forms import CompactFilterForm


class AuditFilterForm(CompactFilterForm):
    action = forms.ChoiceField(label="Действие", required=False)
    since = forms.DateField(label="С", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label="По", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    q = forms.CharField(label="Кто или что", required=False, max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", "Все"), *audit_actions().items()]

    def filter(self, queryset):
        from django.db.models import Q

        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        if data["action"]:
            queryset = queryset.filter(action=data["action"])
        if data["since"]:
            queryset = queryset.filter(created_at__date__gte=data["since"])
        if data["until"]:
            queryset = queryset.filter(created_at__date__lte=data["until"])
        if data["q"]:
            queryset = queryset.filter(Q(actor_name__icontains=data["q"]) | Q(object_repr__icontains=data["q"]))
        return queryset
