from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from balise.administration import LectureSeule, ParLesServices
from balise.formulaires import ChampVersion

from . import services
from .models import Document, SystemeIA


class SystemeIAAdminForm(forms.ModelForm):
    # La version lue (verrou optimiste) ; `version` est un champ du modèle, non modifiable.
    version_lue = ChampVersion()

    class Meta:
        model = SystemeIA
        fields = ["organisation", *services.CHAMPS_SAISIS]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            del self.fields["version_lue"]
        else:
            # Lue en base : rétablir une version de l'historique part de la version actuelle.
            actuelle = SystemeIA.objects.filter(pk=self.instance.pk).values_list("version", flat=True)
            self.fields["version_lue"].initial = actuelle.first()


@admin.register(SystemeIA)
class SystemeIAAdmin(ParLesServices, SimpleHistoryAdmin):
    """Une fiche se déclare et se modifie ici par les mêmes services que la page (version, historique,
    auteur, verrou optimiste) ; son stade, sa publication et son archivage, depuis la fiche seulement."""

    form = SystemeIAAdminForm
    list_display = ["nom", "organisation", "stade", "type_ia", "domaine", "publie", "archive_le"]
    list_filter = ["stade", "type_ia", "domaine", "publie"]
    search_fields = ["nom", "organisation__nom"]

    def get_fields(self, request: HttpRequest, obj: SystemeIA | None = None) -> list[str]:
        saisis = ["organisation", *services.CHAMPS_SAISIS]
        return saisis if obj is None else [*saisis, "version_lue"]

    def get_readonly_fields(self, request: HttpRequest, obj: SystemeIA | None = None) -> list[str]:
        return [] if obj is None else ["organisation"]

    def has_delete_permission(self, request: HttpRequest, obj: SystemeIA | None = None) -> bool:
        return False  # supprimer, c'est archiver : depuis la fiche, qui le note au journal

    def save_model(self, request: HttpRequest, obj: SystemeIA, form: forms.ModelForm, change: bool) -> None:
        donnees = {c: form.cleaned_data[c] for c in services.CHAMPS_SAISIS if c in form.cleaned_data}
        if change:
            services.modifier_systeme(obj.pk, donnees, form.cleaned_data["version_lue"], request.user)
        else:
            obj.pk = services.creer_systeme(form.cleaned_data["organisation"], donnees, request.user).pk


@admin.register(Document)
class DocumentAdmin(LectureSeule, SimpleHistoryAdmin):
    """Déposer, archiver et restaurer passent par la fiche, qui vérifie le fichier et note au journal."""

    list_display = ["titre", "systeme", "type_mime", "taille", "depose_le", "archive_le"]
