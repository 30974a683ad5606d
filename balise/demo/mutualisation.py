"""Démonstration de la mutualisation : l'agglomération du Val de Balise accompagne ses deux communes
sous convention. Elle a proposé la sienne à Rivebelle, qui l'a signée ; Montclair, commune de
4 100 habitants sans service informatique (le cas de seed 003:203), a demandé la sienne. Le
référent IA de l'agglomération agit ainsi chez l'une et l'autre avec le rôle qu'elles accordent.
L'agglomération partage son adaptation du radar de décision ; Rivebelle l'a reprise. Elle ouvre aussi
sa plus récente session de formation aux agents des communes ; Rivebelle y a compté les siens. Elle
partage enfin sa charte de l'IA adoptée et son comité d'éthique comme modèle d'instance ; Rivebelle a
repris la charte en brouillon, qu'elle soumettra à sa propre consultation."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from balise.comptes.models import Utilisateur
from balise.formations import services as formations
from balise.formations.models import Population, SessionFormation
from balise.gouvernance.models import Instance
from balise.instruments import services as instruments
from balise.instruments.definition import en_yaml
from balise.instruments.models import DefinitionInstrument
from balise.mutualisation import modeles_partages, partages, services, sessions
from balise.mutualisation.models import ModelePartage
from balise.organisations.models import Organisation

MUTUALISANTE = "val-de-balise"
OBJET = (
    "Accompagnement du registre des systèmes d'IA, de leur qualification et de leurs évaluations ; "
    "formation des agents ; secrétariat du comité de pilotage intercommunal."
)


def charger(utilisateurs: dict[str, Utilisateur]) -> None:
    agglo = Organisation.objects.filter(slug=MUTUALISANTE).first()
    communes = {o.slug: o for o in Organisation.objects.filter(slug__in=["rivebelle", "montclair"])}
    if agglo is None or len(communes) < 2:
        return
    admin_agglo = utilisateurs["admin@val-de-balise.example"]
    proposee = services.proposer(
        agglo,
        communes["rivebelle"],
        admin_agglo,
        objet=OBJET,
        role="referent",
        debut=date(2026, 1, 1),
        fin=date(2028, 12, 31),
        deliberations=(
            "Conseil communautaire du Val de Balise, délibération n° 2025-118 du 11 décembre 2025\n"
            "Conseil municipal de Rivebelle, délibération n° 2025-74 du 16 décembre 2025"
        ),
    )
    services.signer(
        communes["rivebelle"], proposee.pk, proposee.version, utilisateurs["dgs@rivebelle.example"]
    )
    demandee = services.demander(
        communes["montclair"],
        agglo,
        utilisateurs["mairie@montclair.example"],
        objet=OBJET,
        role="referent",
        debut=date(2026, 3, 1),
        fin=None,
        deliberations="Conseil municipal de Montclair, délibération n° 2026-09 du 12 février 2026",
    )
    services.signer(agglo, demandee.pk, demandee.version, admin_agglo)
    _partager_un_instrument(agglo, admin_agglo, communes["rivebelle"], utilisateurs["dgs@rivebelle.example"])
    _ouvrir_une_session(agglo, admin_agglo, communes["rivebelle"], utilisateurs["dgs@rivebelle.example"])
    _partager_des_modeles(agglo, admin_agglo, communes["rivebelle"], utilisateurs["dgs@rivebelle.example"])


def _ouvrir_une_session(
    agglo: Organisation, admin: Utilisateur, commune: Organisation, dgs: Utilisateur
) -> None:
    session = SessionFormation.objects.filter(organisation=agglo).order_by("-date", "-pk").first()
    if session is None:
        return
    ouverte = sessions.ouvrir(agglo, session.pk, admin)
    formations.initialiser_populations(commune, dgs)
    population = Population.objects.filter(organisation=commune, palier=session.palier).order_by("pk").first()
    if population is not None:
        sessions.compter(commune, ouverte.pk, {population.pk: 6}, dgs, timezone.localdate())


def _partager_un_instrument(
    agglo: Organisation, admin: Utilisateur, commune: Organisation, dgs: Utilisateur
) -> None:
    nationale = DefinitionInstrument.objects.get(organisation=None, code="radar-decision")
    adaptee = nationale.definition.model_copy(
        update={"titre": f"{nationale.definition.titre} — édition intercommunale du Val de Balise"}
    )
    instruments.adapter(
        agglo, nationale, en_yaml(adaptee), admin, instruments.version_visible(agglo, nationale.code)
    )
    partage = partages.partager(
        agglo,
        nationale.code,
        "Le radar que le comité de pilotage intercommunal utilise pour tous les projets des communes.",
        admin,
    )
    jour = timezone.localdate()
    (vu,) = [p for p in partages.partages_pour(commune, jour) if p.partage.pk == partage.pk]
    partages.reprendre(commune, partage.pk, dgs, vu.version_visible, jour)


def _partager_des_modeles(
    agglo: Organisation, admin: Utilisateur, commune: Organisation, dgs: Utilisateur
) -> None:
    """La charte adoptée et le comité d'éthique (son réglage et ses collèges, jamais ses membres)."""
    jour = timezone.localdate()
    deja = set(
        ModelePartage.objects.filter(mutualisante=agglo, retire_le__isnull=True).values_list("nature", "cle")
    )
    ethique = Instance.objects.filter(
        organisation=agglo, modele="comite_ethique_colleges", archive_le__isnull=True
    ).first()
    if ethique is not None and (ModelePartage.Nature.INSTANCE, str(ethique.pk)) not in deja:
        modeles_partages.partager(
            agglo,
            ModelePartage.Nature.INSTANCE,
            str(ethique.pk),
            "Un comité d'éthique à collèges pour les communes qui veulent le leur : reprenez son réglage, "
            "nommez-y vos propres membres.",
            admin,
        )
    charte = modeles_partages.SORTES[ModelePartage.Nature.CHARTE].lire([(agglo.pk, "")])
    if not charte or (ModelePartage.Nature.CHARTE, "") in deja:
        return
    partage = modeles_partages.partager(
        agglo,
        ModelePartage.Nature.CHARTE,
        "",
        "La charte adoptée par le conseil communautaire : une base pour la vôtre, à soumettre à votre "
        "consultation.",
        admin,
    )
    vus = [m for m in modeles_partages.partages_pour(commune, jour) if m.partage.pk == partage.pk]
    if vus and vus[0].reprise is None:
        modeles_partages.reprendre(
            commune, partage.pk, dgs, vus[0].amont.revision, vus[0].version_locale, jour
        )
