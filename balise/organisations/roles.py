"""Les rôles d'une personne dans une organisation, et ce que chacun permet.

C'est le seul endroit où un droit est décidé : pages et API appellent `peut()`.
"""

from enum import StrEnum

from django.db import models


class Role(models.TextChoices):
    ADMINISTRATEUR = "administrateur", "Administrateur"
    REFERENT = "referent", "Référent IA (contributeur)"
    DPO = "dpo", "Délégué à la protection des données (DPO)"
    LECTEUR = "lecteur", "Lecteur (élus, direction)"
    COMITE = "comite", "Membre de comité"
    RH = "rh", "Ressources humaines (DRH)"
    # Le RSSI approuve avec le référent les fournisseurs de modèles (hébergement, clés) et lit, comme le
    # DPO, les requêtes sensibles gardées par la passerelle (issue 18 : « le DPO ou le RSSI »).
    RSSI = "rssi", "Responsable de la sécurité des systèmes d'information (RSSI)"
    # Citoyen, expert, universitaire, représentant syndical… qui siège dans une instance sans être de
    # l'organisation : il ne voit que ce qui est soumis aux instances où il siège (balise/gouvernance).
    EXTERNE = "externe", "Membre externe d'instance"


class Permission(StrEnum):
    VOIR_REGISTRE = "voir_registre"
    DECLARER = "declarer"  # créer et modifier une fiche, déposer un document
    CHANGER_STADE = "changer_stade"
    PUBLIER = "publier"  # rendre une fiche visible au registre public
    ARCHIVER = "archiver"
    # Piloter les évaluations : les ouvrir, inviter des évaluateurs, finaliser, ouvrir une
    # consultation des agents, adapter un instrument. Coter n'exige que d'avoir été invité.
    EVALUER = "evaluer"
    # Qualifier un système au regard de l'AI Act, du RGPD et du CRPA, et suivre ses obligations.
    QUALIFIER = "qualifier"
    # Importer le tableau des effectifs, revoir les libellés de métiers, corriger le référentiel pour
    # l'organisation, suivre les groupes exposés et leurs actions d'accompagnement. Les résultats,
    # agrégés et protégés par le secret statistique, se lisent avec VOIR_REGISTRE.
    GERER_EFFECTIFS = "gerer_effectifs"
    GERER_MEMBRES = "gerer_membres"
    # Gouvernance (balise/gouvernance) : créer et adapter les instances, en nommer les membres,
    # programmer les séances, en fixer l'ordre du jour, consigner avis, décisions et conditions.
    GOUVERNER = "gouverner"
    # Siéger : voir les séances des instances où l'on siège, leurs dossiers, et y voter. Le droit
    # n'ouvre rien à lui seul : il faut en plus être membre de l'instance (gouvernance/droits.py).
    SIEGER = "sieger"
    # Passer un stade dont la porte n'est pas franchie, en écrivant une justification (jamais une
    # porte bloquante, comme celle d'une pratique interdite).
    FORCER_PORTE = "forcer_porte"
    # Programme de l'organisation : composer la charte et les règles d'usage, les soumettre et les
    # faire adopter, définir les indicateurs et saisir leurs mesures, tenir la feuille de route, les
    # actions de sensibilisation et la veille. Tout cela se lit avec VOIR_REGISTRE.
    PILOTER_PROGRAMME = "piloter_programme"
    # Formation et acculturation (AI Act, art. 4) : populations et effectifs, offres, sessions et
    # présences, information des agents sur les règles d'usage.
    GERER_FORMATIONS = "gerer_formations"
    # Produire les rapports (rapport annuel, dossier du dialogue social) : un travail de fond. Les
    # rapports produits et les exports se lisent avec VOIR_REGISTRE, comme les pages.
    PRODUIRE_RAPPORTS = "produire_rapports"
    # Mutualisation (balise/mutualisation) : agir dans l'espace d'un membre sous une convention signée
    # et dans ses dates, avec le rôle que le membre accorde. Proposer, accepter ou terminer une
    # convention reste à qui gère les membres (GERER_MEMBRES), de chaque côté.
    MUTUALISER = "mutualiser"
    # Passerelle d'IA générative (balise/passerelle) : converser avec les modèles du catalogue et
    # émettre ses clés personnelles ; chacun ne lit que ses propres conversations.
    UTILISER_PASSERELLE = "utiliser_passerelle"
    # Tenir le catalogue des modèles approuvés (fournisseurs, clés, classes de données, prix) et les
    # réglages de la passerelle ; lire l'usage agrégé se fait avec VOIR_REGISTRE.
    GERER_CATALOGUE = "gerer_catalogue"
    # Lire le texte chiffré d'une requête sensible, en donnant sa raison (notée) : le DPO et le RSSI
    # seuls, pas même l'administrateur.
    LIRE_CONTENUS_SENSIBLES = "lire_contenus_sensibles"


_TOUS = frozenset(Permission)
_LECTURE = frozenset({Permission.VOIR_REGISTRE, Permission.SIEGER, Permission.UTILISER_PASSERELLE})

DROITS: dict[str, frozenset[Permission]] = {
    Role.ADMINISTRATEUR: _TOUS - {Permission.LIRE_CONTENUS_SENSIBLES},
    Role.REFERENT: frozenset(
        {
            Permission.VOIR_REGISTRE,
            Permission.DECLARER,
            Permission.CHANGER_STADE,
            Permission.PUBLIER,
            Permission.EVALUER,
            Permission.QUALIFIER,
            Permission.GOUVERNER,
            Permission.SIEGER,
            Permission.PILOTER_PROGRAMME,
            Permission.GERER_FORMATIONS,
            Permission.PRODUIRE_RAPPORTS,
            Permission.MUTUALISER,
            Permission.UTILISER_PASSERELLE,
            Permission.GERER_CATALOGUE,
        }
    ),
    # Le DPO complète les fiches (données personnelles, AIPD) mais ne pilote pas le projet.
    Role.DPO: frozenset(
        {
            Permission.VOIR_REGISTRE,
            Permission.DECLARER,
            Permission.QUALIFIER,
            Permission.SIEGER,
            Permission.UTILISER_PASSERELLE,
            Permission.LIRE_CONTENUS_SENSIBLES,
        }
    ),
    Role.LECTEUR: _LECTURE,
    Role.COMITE: _LECTURE,
    # La DRH ne déclare pas de système : elle apporte les effectifs, pilote l'accompagnement et la
    # formation, et prépare le dossier du dialogue social.
    Role.RH: frozenset(
        {
            Permission.VOIR_REGISTRE,
            Permission.GERER_EFFECTIFS,
            Permission.SIEGER,
            Permission.GERER_FORMATIONS,
            Permission.PRODUIRE_RAPPORTS,
            Permission.UTILISER_PASSERELLE,
        }
    ),
    Role.RSSI: frozenset(
        {
            Permission.VOIR_REGISTRE,
            Permission.SIEGER,
            Permission.UTILISER_PASSERELLE,
            Permission.GERER_CATALOGUE,
            Permission.LIRE_CONTENUS_SENSIBLES,
        }
    ),
    Role.EXTERNE: frozenset({Permission.SIEGER}),
}


def peut(role: str | None, permission: Permission) -> bool:
    return role is not None and permission in DROITS.get(role, frozenset())
