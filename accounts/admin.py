from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from accounts.models import User
from core.audit import audit_record

# Changing any of these changes what the user may see or do: the audit log keeps each change.
_SCOPE_FIELDS = ("role", "region", "municipality", "school", "is_superuser", "is_staff", "is_active")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "last_name", "first_name", "role", "municipality", "school", "is_active")
    list_filter = ("role", "is_active", "municipality")
    list_select_related = ("municipality", "school__organisation")
    search_fields = ("username", "last_name", "first_name", "email")
    autocomplete_fields = ("school", "curated_schools")
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (
            "Роль и область доступа",
            {"fields": ("role", "middle_name", "position", "region", "municipality", "school", "curated_schools")},
        ),
    )

    def save_model(self, request, obj, form, change):
        changed = [name for name in _SCOPE_FIELDS if name in form.changed_data]
        super().save_model(request, obj, form, change)
        if changed:
            municipality_id = obj.municipality_id or (obj.school.municipality_id if obj.school_id else None)
            audit_record(
                actor=request.user,
                action="user.role_changed",
                target=obj,
                municipality_id=municipality_id,
                details={
                    "изменено": ", ".join(str(obj._meta.get_field(name).verbose_name) for name in changed),
                    "роль": obj.get_role_display() or "—",
                    "новый пользователь": "да" if not change else "нет",
                },
            )
