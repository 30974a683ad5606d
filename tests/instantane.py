"""Outils partagés des tests de sécurité : photographie de la base, fichiers types, documents déposés."""

from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django_tasks_db.models import DBTaskResult

from balise.bibliotheque.models import Adoption, CasUsage
from balise.chartes.models import VersionCharte
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
from balise.indicateurs.models import Ecart, Indicateur, Mesure
from balise.instruments.models import (
    CodeParticipation,
    Consultation,
    DefinitionInstrument,
    Evaluateur,
    Evaluation,
    GroupeCodes,
    ProvenanceEvaluation,
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
from balise.mutualisation.models import (
    Convention,
    InstrumentPartage,
    InvitationMutualisee,
    ModelePartage,
    RepriseModele,
    SessionOuverte,
)
from balise.organisations.models import Adhesion, EvenementJournal, Invitation, Logo, Organisation
from balise.programme.models import Action, EtatEtape, NoteVeille, Participants, Sensibilisation
from balise.rapports.models import Rapport
from balise.registre import services
from balise.registre.models import ChangementStade, Document, ImportRegistre, SystemeIA
from balise.regles_usage.models import InformationService, PriseDeConnaissance, VersionRegles
from balise.travaux.models import Travail

# Un PDF minimal que la détection par signature reconnaît (« %PDF- »).
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"

_MODELES = [
    JetonAPI,
    Organisation,
    Logo,  # les logos déposés (balise/organisations/logos.py)
    Adhesion,
    Invitation,
    EvenementJournal,
    SystemeIA,
    Document,
    ChangementStade,
    DefinitionInstrument,
    Evaluation,
    ProvenanceEvaluation,
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
    ImportRegistre,
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
    # Charte de l'IA (balise/chartes).
    VersionCharte,
    # Règles d'usage : versions, informations des services, prises de connaissance.
    VersionRegles,
    InformationService,
    PriseDeConnaissance,
    # Programme : étapes, feuille de route, sensibilisation, veille.
    EtatEtape,
    Action,
    Sensibilisation,
    Participants,
    NoteVeille,
    # Rapports produits (balise/rapports).
    Rapport,
    # Indicateurs, leurs mesures et les écarts analysés en revue (balise/indicateurs).
    Indicateur,
    Mesure,
    Ecart,
    # Mutualisation : conventions, partages et reprises, sessions ouvertes, invitations (balise/mutualisation).
    Convention,
    InstrumentPartage,
    ModelePartage,
    RepriseModele,
    SessionOuverte,
    InvitationMutualisee,
    # Bibliothèque des cas d'usage : cas partagés et adoptions (balise/bibliotheque).
    CasUsage,
    Adoption,
]


# La dernière utilisation d'un jeton change à chaque appel authentifié, refusé ou non : ce n'est pas
# une donnée qu'un refus doit laisser intacte.
_NON_PHOTOGRAPHIES = {"utilise_le"}


def rapport(org: Organisation, par, genre: str = "annuel", annee: int = 2025) -> Rapport:
    """Un rapport déjà produit (fichiers minimes) : sans passer par le processus de fond."""
    from django.utils import timezone

    return Rapport.objects.create(
        organisation=org, genre=genre, annee=annee, debut=f"{annee}-01-01", fin=f"{annee}-12-31",
        version=1, titre=f"Rapport secret {org.slug}", demande_par=par, produit_le=timezone.now(),
        pdf=PDF, odt=b"PK odt", docx=b"PK docx",
    )  # fmt: skip


def _tous_les_modeles():
    for modele in _MODELES:
        yield modele
        historique = getattr(modele, "history", None)
        if historique is not None:
            yield historique.model


@cache
def _requetes() -> list[tuple[str, str]]:
    """Une requête SQL par table photographiée : ses colonnes (sauf celles qu'un refus peut changer),
    lignes par clé primaire. Écrites une fois : l'ORM coûterait dix fois plus à chaque photo, et la
    matrice des rôles en prend plus de mille."""
    q = connection.ops.quote_name
    requetes = []
    for modele in _tous_les_modeles():
        meta = modele._meta
        colonnes = ", ".join(q(f.column) for f in meta.concrete_fields if f.attname not in _NON_PHOTOGRAPHIES)
        # Noms tirés des modèles, jamais d'une saisie.
        sql = f"SELECT {colonnes} FROM {q(meta.db_table)} ORDER BY {q(meta.pk.column)}"  # noqa: S608
        requetes.append((meta.label, sql))
    return requetes


def photo() -> dict[str, Any]:
    """Toutes les lignes des données d'organisation (et leurs versions historisées), telles que la base
    les rend, plus les fichiers déposés."""
    etat: dict[str, Any] = {}
    with connection.cursor() as curseur:
        for table, sql in _requetes():
            curseur.execute(sql)
            etat[table] = curseur.fetchall()
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
