from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import JetonAPI, Utilisateur


@admin.register(Utilisateur)
class UtilisateurAdmin(UserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_active", "is_staff"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Identité", {"fields": ("first_name", "last_name")}),
        ("Droits d'instance", {"fields": ("is_active", "is_staff", "is_superuser")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


@admin.register(JetonAPI)
class JetonAPIAdmin(admin.ModelAdmin):
    list_display = [
        "nom",
        "utilisateur",
        "debut",
        "cree_le",
        "expire_le",
        "utilise_le",
        "revoque_le",
        "revoque_par",
    ]
    readonly_fields = ["utilisateur", "debut", "cree_le", "utilise_le", "revoque_par"]
