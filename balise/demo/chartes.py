"""La charte de l'IA de la démonstration (rubrique « charte » de donnees.yaml) : composée depuis les
jeux de principes livrés, soumise au comité d'éthique de la démonstration en séance (avis favorable,
public), adoptée par délibération, donc publiée au registre public.

Les dates sont relatives au jour du chargement ; ce que les services datent du chargement (soumission,
avis) est reporté à la date de la séance, comme dans balise/demo/gouvernance.py.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.utils import timezone

from balise.chartes import services
from balise.chartes.models import VersionCharte
from balise.comptes.models import Utilisateur
from balise.gouvernance import services_avis, services_seances
from balise.gouvernance.models import Avis, Instance, Membre
from balise.organisations.models import Organisation


def charger(donnees: dict[str, Any], utilisateurs: dict[str, Utilisateur]) -> VersionCharte | None:
    c = donnees.get("charte")
    if not c:
        return None
    organisation = Organisation.objects.get(slug=c["organisation"])
    par = utilisateurs[c["par"]]
    aujourd_hui = timezone.localdate()
    v = services.composer(
        organisation,
        {
            "titre": c["titre"],
            "principes": c["principes"],
            "perimetre": c["perimetre"],
            "engagements": c["engagements"],
            "lignes_rouges": c["lignes_rouges"],
        },
        par,
    )
    # La consultation : une séance passée de l'instance, avec la charte à l'ordre du jour.
    instance = Instance.objects.get(organisation=organisation, nom=c["consultation"]["instance"])
    membres = list(instance.membres.filter(retire_le__isnull=True).select_related("utilisateur"))
    secretaire = next(m.utilisateur for m in membres if m.fonction == Membre.Fonction.SECRETAIRE)
    jour = aujourd_hui + timedelta(days=int(c["consultation"]["jours"]))
    debut = timezone.make_aware(datetime.combine(jour, time(14, 0)))
    seance = services_seances.programmer(instance, debut, 90, c["consultation"]["lieu"], secretaire)
    point = services.soumettre(v.pk, seance.pk, v.version, par)
    seance.refresh_from_db()
    seance = services_seances.noter_presences(
        seance.pk, {m.pk: "present" for m in membres}, seance.version, secretaire
    )
    services_seances.declarer_tenue(seance.pk, seance.version, secretaire)
    avis = services_avis.rendre_avis(
        point,
        {"sens": c["consultation"]["avis"], "motifs": c["consultation"]["motifs"], "public": True},
        [],
        secretaire,
    )
    Avis.objects.filter(pk=avis.pk).update(rendu_le=debut + timedelta(minutes=90))
    VersionCharte.objects.filter(pk=v.pk).update(soumise_le=debut - timedelta(days=14))
    v.refresh_from_db()
    adoption = c["adoption"]
    return services.adopter(
        v.pk,
        VersionCharte.Mode.DELIBERATION,
        aujourd_hui + timedelta(days=int(adoption["jours"])),
        v.version,
        par,
        deliberation_numero=adoption["deliberation_numero"],
    )
