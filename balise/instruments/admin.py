from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from balise.administration import LectureSeule

from .models import Consultation, DefinitionInstrument, Evaluation

# Lecture seule : une définition ne se modifie pas (une évaluation y renvoie, on adapte en créant une
# version) ; évaluations et consultations s'ouvrent, se cotent, se finalisent et se closent depuis
# leurs pages, par les services qui gardent l'anonymat et l'historique.


@admin.register(DefinitionInstrument)
class DefinitionInstrumentAdmin(LectureSeule):
    list_display = ["titre", "code", "version", "organisation", "cree_le"]
    list_filter = ["code"]


@admin.register(Evaluation)
class EvaluationAdmin(LectureSeule, SimpleHistoryAdmin):
    list_display = ["systeme", "instrument", "moment", "statut", "organisation", "cree_le"]
    list_filter = ["statut", "moment"]


@admin.register(Consultation)
class ConsultationAdmin(LectureSeule, SimpleHistoryAdmin):
    list_display = ["systeme", "instrument", "mode", "ouverte", "organisation", "cree_le"]
    list_filter = ["mode", "ouverte"]
    exclude = ["jeton"]
