from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Adhesion, Invitation, Organisation


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
