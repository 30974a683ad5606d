from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest

from balise.administration import LectureSeule, ParLesServices

from . import services
from .models import IdentiteOIDC, JetonAPI, Utilisateur


@admin.register(Utilisateur)
class UtilisateurAdmin(ParLesServices, UserAdmin):
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

    def save_model(self, request: HttpRequest, obj: Utilisateur, form: forms.ModelForm, change: bool) -> None:
        if change:
            services.modifier_compte(obj, form.changed_data)
        else:
            obj.pk = services.creer_compte(form.cleaned_data["email"], form.cleaned_data["password1"]).pk

    def delete_model(self, request: HttpRequest, obj: Utilisateur) -> None:
        services.supprimer_compte(obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Utilisateur]) -> None:
        for utilisateur in queryset:
            services.supprimer_compte(utilisateur)


@admin.register(JetonAPI)
class JetonAPIAdmin(LectureSeule, ParLesServices):
    """Un jeton s'émet depuis « Mon compte » (son secret n'est montré qu'une fois) ; ici, on le révoque."""

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
    actions = ["revoquer"]

    def has_revoquer_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("comptes.change_jetonapi")

    @admin.action(description="Révoquer les jetons choisis", permissions=["revoquer"])
    def revoquer(self, request: HttpRequest, queryset: QuerySet[JetonAPI]) -> None:
        for jeton in queryset:
            services.revoquer_jeton(jeton, request.user)
        self.message_user(request, f"{len(queryset)} jeton(s) révoqué(s).")


@admin.register(IdentiteOIDC)
class IdentiteOIDCAdmin(LectureSeule, ParLesServices):
    """Les liens posés à la première connexion par le fournisseur d'identité ; on en retire un quand le
    fournisseur a donné une nouvelle identité à la personne (la connexion suivante le repose)."""

    list_display = ["utilisateur", "emetteur", "sub", "liee_le"]
    search_fields = ["utilisateur__email", "sub"]
    actions = ["delier"]

    def has_delier_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("comptes.delete_identiteoidc")

    @admin.action(description="Délier les identités choisies", permissions=["delier"])
    def delier(self, request: HttpRequest, queryset: QuerySet[IdentiteOIDC]) -> None:
        for identite in queryset:
            services.delier_identite(identite, request.user)
        self.message_user(request, f"{len(queryset)} identité(s) déliée(s).")
