from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Consultation, DefinitionInstrument, Evaluation


@admin.register(DefinitionInstrument)
class DefinitionInstrumentAdmin(admin.ModelAdmin):
    list_display = ["titre", "code", "version", "organisation", "cree_le"]
    list_filter = ["code"]
    # Une définition ne se modifie pas : une évaluation y renvoie. On adapte en créant une version.
    readonly_fields = ["organisation", "code", "version", "titre", "contenu", "base", "cree_par", "cree_le"]


@admin.register(Evaluation)
class EvaluationAdmin(SimpleHistoryAdmin):
    list_display = ["systeme", "instrument", "moment", "statut", "organisation", "cree_le"]
    list_filter = ["statut", "moment"]
    raw_id_fields = ["systeme", "instrument", "cree_par", "finalisee_par"]


@admin.register(Consultation)
class ConsultationAdmin(SimpleHistoryAdmin):
    list_display = ["systeme", "instrument", "mode", "ouverte", "organisation", "cree_le"]
    list_filter = ["mode", "ouverte"]
    exclude = ["jeton"]
