from django.contrib import admin

from schools.models import AcademicYear, Municipality, Organisation, Region, RegistryImport, School


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("name", "code")
    search_fields = ("name",)


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ("name", "region", "oktmo", "fis_oko_code")
    list_filter = ("region",)
    search_fields = ("name", "oktmo")


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "municipality")
    list_filter = ("kind", "municipality")
    search_fields = ("name", "short_name", "inn")
    list_select_related = ("municipality",)


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ("code", "organisation", "municipality", "school_type", "settlement", "contingent", "is_active")
    list_filter = ("school_type", "settlement", "is_active", "municipality")
    search_fields = ("code", "organisation__name", "organisation__short_name")
    list_select_related = ("organisation", "municipality")
    raw_id_fields = ("organisation",)


@admin.register(AcademicYear)
class AcademicYearAdmin(admin.ModelAdmin):
    list_display = ("name",)


@admin.register(RegistryImport)
class RegistryImportAdmin(admin.ModelAdmin):
    list_display = ("original_name", "status", "uploaded_by", "created_at", "created_count", "updated_count")
    list_filter = ("status",)
    readonly_fields = ("errors",)
