from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Document, SystemeIA


@admin.register(SystemeIA)
class SystemeIAAdmin(SimpleHistoryAdmin):
    list_display = ["nom", "organisation", "stade", "type_ia", "domaine", "publie", "archive_le"]
    list_filter = ["stade", "type_ia", "domaine", "publie"]
    search_fields = ["nom", "organisation__nom"]
    readonly_fields = ["version", "uid", "archive_le"]

    def save_model(self, request, obj, form, change):
        # Une modification depuis l'administration compte comme une nouvelle version (verrou optimiste).
        if change:
            obj.version += 1
        super().save_model(request, obj, form, change)


@admin.register(Document)
class DocumentAdmin(SimpleHistoryAdmin):
    list_display = ["titre", "systeme", "type_mime", "taille", "depose_le", "archive_le"]
    # Archiver et restaurer passent par la fiche, qui les note au journal de l'organisation.
    readonly_fields = ["archive_le"]
