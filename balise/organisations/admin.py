from django.contrib import admin
from django.db.models import OuterRef, Subquery
from simple_history.admin import SimpleHistoryAdmin

from .models import Adhesion, EvenementJournal, Invitation, Organisation


class AdhesionEnLigne(admin.TabularInline):
    model = Adhesion
    extra = 1
    autocomplete_fields = ["utilisateur"]


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ["nom", "type", "siren", "slug", "population", "nombre_agents"]
    list_filter = ["type"]
    search_fields = ["nom", "siren", "slug"]
    prepopulated_fields = {"slug": ["nom"]}
    inlines = [AdhesionEnLigne]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "organisation", "role", "creee_le", "expire_le", "acceptee_le", "annulee_le"]
    readonly_fields = ["jeton"]


@admin.register(EvenementJournal)
class EvenementJournalAdmin(admin.ModelAdmin):
    """Le journal se lit, ne s'écrit ni ne s'efface depuis l'administration (on n'y fait qu'ajouter)."""

    list_display = ["le", "nom_organisation", "nature", "objet", "par"]
    list_filter = ["nature"]
    search_fields = ["objet"]
    list_select_related = ["par"]

    def get_queryset(self, request):
        # Le journal survit à son organisation (sans contrainte de clé) : son nom est lu sans jointure.
        nom = Organisation.objects.filter(pk=OuterRef("organisation_id")).values("nom")[:1]
        return super().get_queryset(request).annotate(nom_organisation=Subquery(nom))

    @admin.display(description="organisation")
    def nom_organisation(self, obj: EvenementJournal) -> str:
        return obj.nom_organisation or f"(supprimée, n° {obj.organisation_id})"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
