"""Les indicateurs de la démonstration : trois indicateurs repris du modèle de départ (graine 001,
encart SNDGCT sur l'AFNOR Spec 2314, et un indicateur type de système), suivis depuis treize mois.

- « Temps moyen par dossier » (mensuel, au plus 10 jours) : douze mois mesurés, le dernier hors cible,
  et le mois qui vient de finir pas encore saisi : sa mesure est due (page d'accueil, « À traiter »).
- « Temps gagné par les agents » de l'assistant conversationnel (mensuel) : à jour, dans la cible.
- « Taux de conformité RGPD » (semestriel) : deux semestres mesurés.

Dates relatives au jour du chargement ; tout passe par les services, puis la date de création est
reportée treize mois en arrière (sans nouvelle version), comme si le suivi avait commencé alors."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from balise.comptes.models import Utilisateur
from balise.indicateurs import echeances, services
from balise.indicateurs.models import Indicateur
from balise.organisations.models import Organisation
from balise.registre.models import SystemeIA

ORGANISATION = "val-de-balise"
REFERENT = "referent@val-de-balise.example"
DPO = "dpo@val-de-balise.example"
SYSTEME = "Assistant conversationnel pour les usagers"
# Mesures, de la plus ancienne à la plus récente.
DELAIS = ["14", "13,5", "12", "12,5", "11", "10,5", "9,5", "9", "9,5", "8,5", "9", "11,5"]
TEMPS_GAGNE = ["6", "9", "12", "15", "18", "20", "22", "21", "24", "25", "26", "28"]
CONFORMITE = ["82", "91"]


def _mesurer(indicateur: Indicateur, valeurs: list[str], derniere: date, par: Utilisateur) -> None:
    """Les `valeurs`, une par période, la dernière étant la période de `derniere`."""
    freq = indicateur.frequence
    for rang, valeur in enumerate(valeurs):
        periode = echeances.decaler(derniere, freq, rang - len(valeurs) + 1)
        services.enregistrer_mesure(indicateur, {"periode": periode, "valeur": valeur}, par)


def charger(utilisateurs: dict[str, Utilisateur]) -> list[Indicateur]:
    organisation = Organisation.objects.filter(slug=ORGANISATION).first()
    if organisation is None or REFERENT not in utilisateurs or DPO not in utilisateurs:
        return []
    referent, dpo = utilisateurs[REFERENT], utilisateurs[DPO]
    systeme = SystemeIA.objects.filter(organisation=organisation, nom=SYSTEME).first()
    aujourd_hui = timezone.localdate()
    mensuel = echeances.Frequence.MENSUELLE.value
    mois_courant = echeances.periode_de(aujourd_hui, mensuel)
    semestre_courant = echeances.periode_de(aujourd_hui, echeances.Frequence.SEMESTRIELLE.value)

    delais = services.depuis_modele(organisation, "delais_traitement", referent, referent.pk)
    # Le mois qui vient de finir reste à saisir : les douze d'avant sont mesurés.
    _mesurer(delais, DELAIS, echeances.decaler(mois_courant, mensuel, -2), referent)
    crees = [delais]
    if systeme is not None:
        temps = services.depuis_modele(organisation, "temps_gagne", referent, referent.pk, systeme.pk)
        _mesurer(temps, TEMPS_GAGNE, echeances.decaler(mois_courant, mensuel, -1), referent)
        crees.append(temps)
    rgpd = services.depuis_modele(organisation, "conformite_rgpd", dpo, dpo.pk)
    _mesurer(rgpd, CONFORMITE, echeances.decaler(semestre_courant, rgpd.frequence, -1), dpo)
    crees.append(rgpd)
    Indicateur.objects.filter(pk__in=[i.pk for i in crees]).update(
        cree_le=timezone.now() - timedelta(days=400)
    )
    return crees
