"""Administration de l'instance (/admin/) : ses écritures passent par les services, comme les pages.

Chaque page d'administration qui écrit remplace les crochets de Django (`save_model`, `delete_model`,
`delete_queryset`, `save_formset`) par un appel au service du domaine, ou n'écrit pas (lecture seule).
Un refus d'un service (règle métier, version périmée) annule toute la soumission et s'affiche en
message, au lieu d'une erreur 500 ; tests/test_couches.py le vérifie pour chaque modèle enregistré.
"""

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from balise.versions import ConflitEdition


def _message(refus: ValidationError | ConflitEdition) -> str:
    return refus.message if isinstance(refus, ConflitEdition) else " ".join(refus.messages)


class ParLesServices(admin.ModelAdmin):
    """Page d'administration dont les écritures appellent les services : un refus n'écrit rien."""

    def _sous_refus(self, request: HttpRequest, vue: Callable[[], HttpResponse]) -> HttpResponse:
        try:
            with transaction.atomic():
                return vue()
        except (ValidationError, ConflitEdition) as refus:
            self.message_user(request, _message(refus), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def changeform_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self._sous_refus(
            request, lambda: super(ParLesServices, self).changeform_view(request, *args, **kwargs)
        )

    def delete_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self._sous_refus(
            request, lambda: super(ParLesServices, self).delete_view(request, *args, **kwargs)
        )

    def changelist_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # Les actions (dont « supprimer la sélection ») : toutes ou aucune.
        return self._sous_refus(
            request, lambda: super(ParLesServices, self).changelist_view(request, *args, **kwargs)
        )

    def history_form_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # Rétablir une version (django-simple-history) enregistre par save_model, donc par le service.
        return self._sous_refus(
            request,
            lambda: super(ParLesServices, self).history_form_view(request, *args, **kwargs),  # type: ignore[misc]
        )


class LectureSeule(admin.ModelAdmin):
    """Page d'administration qui ne fait que lire : ces objets changent par les pages de Balise."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
