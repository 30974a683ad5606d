"""Le cycle de vie d'un système d'IA et les passages permis entre ses stades.

Stades : PRODUCT.md C1 ; seed 004 (« Beaucoup de projets en phase de test ») et seed 001 (les 5 étapes).
Un arrêt ou un abandon exige toujours un motif, pour que l'organisation garde la mémoire de ses choix.
"""

from django.db import models


class Stade(models.TextChoices):
    IDEE = "idee", "Idée"
    ETUDE = "etude", "Étude d'opportunité"
    EXPERIMENTATION = "experimentation", "Expérimentation / POC"
    DECISION = "decision", "Décision"
    PRODUCTION = "production", "Production"
    ARRET = "arret", "Arrêt"
    ABANDON = "abandon", "Abandon"


# Ordre d'affichage (portefeuille, tris).
ORDRE = list(Stade)

TRANSITIONS: dict[str, tuple[str, ...]] = {
    Stade.IDEE: (Stade.ETUDE, Stade.ABANDON),
    Stade.ETUDE: (Stade.EXPERIMENTATION, Stade.DECISION, Stade.ABANDON),
    Stade.EXPERIMENTATION: (Stade.DECISION, Stade.ETUDE, Stade.ABANDON),
    # Une décision peut prolonger l'expérimentation, lancer la production ou renoncer.
    Stade.DECISION: (Stade.PRODUCTION, Stade.EXPERIMENTATION, Stade.ABANDON),
    Stade.PRODUCTION: (Stade.ARRET,),
    # Un projet abandonné peut être repris comme idée ; un système arrêté peut être relancé sur décision.
    Stade.ABANDON: (Stade.IDEE,),
    Stade.ARRET: (Stade.DECISION,),
}

MOTIF_OBLIGATOIRE = frozenset({Stade.ARRET, Stade.ABANDON})


def suivants(stade: str) -> tuple[str, ...]:
    return TRANSITIONS.get(stade, ())


def transition_permise(depuis: str, vers: str) -> bool:
    return vers in suivants(depuis)
