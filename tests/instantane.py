"""Outils partagés des tests de sécurité : photographie de la base, fichiers types, documents déposés."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tasks_db.models import DBTaskResult

from balise.comptes.models import JetonAPI
from balise.conformite.models import ObligationSuivie, Qualification
from balise.gouvernance.models import (
    Avis,
    College,
    Condition,
    Decision,
    Instance,
    InvitationSiege,
    Membre,
    PolitiquePortes,
    Vote,
)
from balise.instruments.models import (
    CodeParticipation,
    Consultation,
    DefinitionInstrument,
    Evaluateur,
    Evaluation,
    GroupeCodes,
    Reponse,
    ReponseAnonyme,
)
from balise.metiers.models import (
    ActionAccompagnement,
    CorrespondanceRetenue,
    GroupeEffectif,
    GroupeSuivi,
    ImportEffectifs,
    LibelleImporte,
    LigneRejetee,
    MetierOrganisation,
)
from balise.organisations.models import Adhesion, EvenementJournal, Invitation, Organisation
from balise.registre import services
from balise.registre.models import ChangementStade, Document, SystemeIA
from balise.travaux.models import Travail

# Un PDF minimal que la détection par signature reconnaît (« %PDF- »).
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"

_MODELES = [
    JetonAPI,
    Organisation,
    Adhesion,
    Invitation,
    EvenementJournal,
    SystemeIA,
    Document,
    ChangementStade,
    DefinitionInstrument,
    Evaluation,
    Evaluateur,
    Reponse,
    Consultation,
    GroupeCodes,
    CodeParticipation,
    ReponseAnonyme,
    Qualification,
    ObligationSuivie,
    MetierOrganisation,
    ImportEffectifs,
    LibelleImporte,
    GroupeEffectif,
    LigneRejetee,
    CorrespondanceRetenue,
    GroupeSuivi,
    GroupeSuivi.systemes.through,
    ActionAccompagnement,
    Travail,
    DBTaskResult,  # la file des travaux de fond : un refus n'y met rien
    # Gouvernance : instances, sièges, votes, avis, décisions et conditions, politique des portes.
    Instance,
    College,
    Membre,
    InvitationSiege,
    Vote,
    Avis,
    Decision,
    Condition,
    PolitiquePortes,
]


# La dernière utilisation d'un jeton change à chaque appel authentifié, refusé ou non : ce n'est pas
# une donnée qu'un refus doit laisser intacte.
_NON_PHOTOGRAPHIES = {"utilise_le"}


def _tous_les_modeles():
    for modele in _MODELES:
        yield modele
        historique = getattr(modele, "history", None)
        if historique is not None:
            yield historique.model


def photo() -> dict[str, Any]:
    """Toutes les lignes des données d'organisation (et leurs versions historisées), plus les fichiers déposés."""
    etat: dict[str, Any] = {
        m._meta.label: [
            {k: v for k, v in ligne.items() if k not in _NON_PHOTOGRAPHIES}
            for ligne in m.objects.order_by("pk").values()
        ]
        for m in _tous_les_modeles()
    }
    racine = Path(settings.MEDIA_ROOT)
    etat["fichiers"] = (
        sorted(str(p.relative_to(racine)) for p in racine.rglob("*")) if racine.exists() else []
    )
    return etat


def differences(avant: dict[str, Any], apres: dict[str, Any]) -> list[str]:
    """Les tables (ou fichiers) qui ont changé, pour un message d'échec lisible."""
    return [cle for cle in avant.keys() | apres.keys() if avant.get(cle) != apres.get(cle)]


def pdf(nom: str = "note.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(nom, PDF, content_type="application/pdf")


def document(systeme: SystemeIA, par, titre: str = "Analyse d'impact") -> Document:
    return services.deposer_document(systeme, titre, pdf(), par)
