from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from accounts.models import User


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
