"""Vocabulaires du registre, tirés des textes sources (shared/seeds).

- Domaines : familles d'usages observées par CIVITEO (seed 004, « Domaines dans lesquels des projets
  ayant recours à de l'IA sont en cours en 2024 ») et la note SNDGCT (seed 001).
- Types d'IA : générative / prédictive / discriminante (seed 004, « De l'IA générative… mais pas
  uniquement ! »).
- Positionnement : diagramme adapté de Gartner (seed 004, « L'IA pour améliorer les politiques
  publiques ») — améliorer l'existant ↔ nouveaux modes opératoires, agents ↔ usagers.
"""

from django.db import models


class Domaine(models.TextChoices):
    GESTION_ADMINISTRATIVE = "gestion_administrative", "Gestion administrative"
    RELATION_USAGERS = "relation_usagers", "Relation aux usagers"
    VILLE_INTELLIGENTE = "ville_intelligente", "Ville intelligente, mobilité, espaces publics, urbanisme"
    ENVIRONNEMENT = "environnement", "Eau, énergie, déchets, environnement"
    SECURITE = "securite", "Sécurité et gestion de crise"
    SOCIAL = "social", "Action sociale, solidarités"
    EDUCATION = "education", "Éducation, enfance, restauration scolaire"
    RH = "rh", "Ressources humaines"
    FINANCES = "finances", "Finances, commande publique"
    SYSTEMES_INFORMATION = "systemes_information", "Systèmes d'information, numérique"
    COMMUNICATION = "communication", "Communication"
    AUTRE = "autre", "Autre"


class TypeIA(models.TextChoices):
    GENERATIVE = "generative", "IA générative"
    PREDICTIVE = "predictive", "IA prédictive"
    DISCRIMINANTE = "discriminante", "IA discriminante"


class Cible(models.TextChoices):
    """Vers qui le projet est tourné : ses utilisateurs et bénéficiaires directs."""

    AGENTS = "agents", "Agents"
    USAGERS = "usagers", "Usagers"


class Positionnement(models.TextChoices):
    AMELIORER = "ameliorer", "Améliorer l'existant"
    INNOVER = "innover", "Nouveau mode opératoire"


class Realisation(models.TextChoices):
    PRESTATAIRE = "prestataire", "Solution d'un prestataire"
    INTERNE = "interne", "Développement interne"
    MIXTE = "mixte", "Mixte (prestataire et interne)"
    SERVICE_GRAND_PUBLIC = "grand_public", "Service grand public (en ligne)"


class Hebergement(models.TextChoices):
    FRANCE = "france", "France"
    UE = "ue", "Union européenne (hors France)"
    HORS_UE = "hors_ue", "Hors Union européenne"
    INCONNU = "inconnu", "Inconnu"
