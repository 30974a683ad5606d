"""Les adaptations d'instruments qu'une mutualisante partage avec ses membres (issue 17, point 2) :
partager, retirer, reprendre (adopter, ou suivre la nouvelle version amont), et l'état de chaque
partage vu d'un membre et vu de la mutualisante. Un membre reprend sous une convention qui ouvre
l'accès ce jour-là ; ce qu'il a repris reste à lui (une version de son instrument, base = la version
reprise : sa provenance), il l'adapte ensuite comme il veut.

Rien n'est recopié en double : l'amont est la plus récente adaptation de la mutualisante ; ce qu'un
membre a repris se lit de la base de ses propres versions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from balise import versions
from balise.instruments import services as instruments
from balise.instruments.models import DefinitionInstrument
from balise.organisations.models import Organisation

from .models import TYPES_MUTUALISANTS, Convention, InstrumentPartage

if TYPE_CHECKING:
    from balise.comptes.models import Utilisateur

LONGUEUR_NOTE = 2000


def _plus_recentes(
    definitions: list[DefinitionInstrument],
) -> dict[tuple[int | None, str], DefinitionInstrument]:
    """La version la plus récente de chaque (organisation, instrument) parmi celles lues."""
    resultat: dict[tuple[int | None, str], DefinitionInstrument] = {}
    for d in sorted(definitions, key=lambda d: d.version):
        resultat[(d.organisation_id, d.code)] = d
    return resultat


def _amont(mutualisante_id: int, code: str) -> DefinitionInstrument | None:
    return (
        DefinitionInstrument.objects.filter(organisation=mutualisante_id, code=code)
        .order_by("-version")
        .first()
    )


def mutualisantes_ouvertes(membre: Organisation, jour: date) -> list[int]:
    """Les mutualisantes dont la convention avec ce membre ouvre l'accès ce jour-là."""
    signees = Convention.objects.filter(membre=membre, etat=Convention.Etat.EN_VIGUEUR)
    return [c.mutualisante_id for c in signees if c.ouvre_l_acces(jour)]


def partage_visible(organisation: Organisation, pk: int, jour: date) -> InstrumentPartage | None:
    """Un partage en cours que l'organisation voit : le sien (mutualisante) ou celui d'une mutualisante
    dont la convention lui ouvre l'accès aujourd'hui (membre)."""
    return (
        InstrumentPartage.objects.filter(pk=pk, retire_le__isnull=True)
        .filter(Q(mutualisante=organisation) | Q(mutualisante__in=mutualisantes_ouvertes(organisation, jour)))
        .select_related("mutualisante")
        .first()
    )


# --- Côté mutualisante ---------------------------------------------------------------------------


def codes_partageables(mutualisante: Organisation) -> list[tuple[str, str]]:
    """Les instruments que la mutualisante a adaptés (code, titre de sa plus récente version)."""
    recentes = _plus_recentes(list(DefinitionInstrument.objects.filter(organisation=mutualisante)))
    return sorted(((code, d.titre) for (_, code), d in recentes.items()), key=lambda c: c[1])


@transaction.atomic
def partager(mutualisante: Organisation, code: str, note: str, par: Utilisateur) -> InstrumentPartage:
    if mutualisante.type not in TYPES_MUTUALISANTS:
        raise ValidationError("Seule une organisation mutualisante partage des instruments avec des membres.")
    if not isinstance(code, str) or _amont(mutualisante.pk, code) is None:
        raise ValidationError(
            {
                "code": "Adaptez d'abord cet instrument : seule une adaptation de votre organisation se partage."
            }
        )
    note = note.strip() if isinstance(note, str) else ""
    if len(note) > LONGUEUR_NOTE:
        raise ValidationError({"note": f"La note tient en {LONGUEUR_NOTE} caractères au plus."})
    partage = InstrumentPartage(mutualisante=mutualisante, code=code, note=note, partage_par=par)
    try:
        with transaction.atomic():
            versions.attribuer(partage, par)
    except IntegrityError:
        raise ValidationError({"code": "Cet instrument est déjà partagé avec vos membres."}) from None
    return partage


@transaction.atomic
def retirer(mutualisante: Organisation, pk: int, version: int | None, par: Utilisateur) -> InstrumentPartage:
    """Retire le partage : les membres ne le voient plus ; ce qu'ils ont repris reste à eux."""
    partage = versions.verrouiller(InstrumentPartage.objects.filter(retire_le__isnull=True), pk, version)
    if partage.mutualisante_id != mutualisante.pk:
        raise ValidationError("Seule la mutualisante qui l'a partagé retire ce partage.")
    partage.retire_le = timezone.now()
    versions.enregistrer(partage, par)
    return partage


@dataclass(frozen=True)
class PartageDeLaMutualisante:
    partage: InstrumentPartage
    amont: DefinitionInstrument | None
    membres_qui_l_ont_repris: int


def partages_de(mutualisante: Organisation) -> list[PartageDeLaMutualisante]:
    """Trois requêtes : partages, versions de la mutualisante, membres qui ont repris chaque instrument."""
    partages = list(
        InstrumentPartage.objects.filter(mutualisante=mutualisante, retire_le__isnull=True).order_by("code")
    )
    codes = [p.code for p in partages]
    amonts = _plus_recentes(
        list(DefinitionInstrument.objects.filter(organisation=mutualisante, code__in=codes))
    )
    reprises = dict(
        DefinitionInstrument.objects.filter(base__organisation=mutualisante, base__code__in=codes)
        .exclude(organisation=mutualisante)
        .values_list("code")
        .annotate(n=Count("organisation", distinct=True))
        .order_by()
    )
    return [
        PartageDeLaMutualisante(p, amonts.get((mutualisante.pk, p.code)), reprises.get(p.code, 0))
        for p in partages
    ]


# --- Côté membre --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartageVuDuMembre:
    partage: InstrumentPartage
    amont: DefinitionInstrument
    reprise: DefinitionInstrument | None  # la plus récente version du membre reprise de cette mutualisante
    locale: DefinitionInstrument | None  # la plus récente version du membre pour cet instrument
    version_visible: int  # le verrou de la reprise : la version la plus récente que voit le membre

    @property
    def a_jour(self) -> bool:
        return self.reprise is not None and self.reprise.base_id == self.amont.pk

    @property
    def adaptee_depuis(self) -> bool:
        """Le membre a adapté l'instrument après l'avoir repris : suivre l'amont remplacerait ses changements."""
        return self.reprise is not None and self.locale is not None and self.locale.pk != self.reprise.pk

    @property
    def statut(self) -> str:
        if self.reprise is None:
            return "Pas encore repris"
        if self.a_jour:
            return "Repris, à jour"
        reprise = self.reprise.base.version if self.reprise.base else "?"  # une reprise a toujours sa base
        return f"Nouvelle version : v{self.amont.version}, vous avez repris la v{reprise}"


def partages_pour(membre: Organisation, jour: date) -> list[PartageVuDuMembre]:
    """Ce que les mutualisantes du membre (convention ouverte ce jour-là) lui partagent, et où il en est."""
    mutualisantes = mutualisantes_ouvertes(membre, jour)
    partages = list(
        InstrumentPartage.objects.filter(mutualisante__in=mutualisantes, retire_le__isnull=True)
        .select_related("mutualisante")
        .order_by("mutualisante__nom", "code")
    )
    if not partages:
        return []
    codes = {p.code for p in partages}
    amonts = _plus_recentes(
        list(DefinitionInstrument.objects.filter(organisation__in=mutualisantes, code__in=codes))
    )
    siennes = list(
        DefinitionInstrument.objects.filter(organisation=membre, code__in=codes).select_related("base")
    )
    nationales = dict(
        DefinitionInstrument.objects.filter(organisation=None, code__in=codes)
        .values_list("code")
        .annotate(m=Max("version"))
        .order_by()
    )
    resultat = []
    for p in partages:
        amont = amonts.get((p.mutualisante_id, p.code))
        if amont is None:
            continue
        du_code = sorted((d for d in siennes if d.code == p.code), key=lambda d: d.version)
        reprises = [d for d in du_code if d.base is not None and d.base.organisation_id == p.mutualisante_id]
        resultat.append(
            PartageVuDuMembre(
                partage=p,
                amont=amont,
                reprise=reprises[-1] if reprises else None,
                locale=du_code[-1] if du_code else None,
                version_visible=max([nationales.get(p.code, 0), *(d.version for d in du_code)]),
            )
        )
    return resultat


@transaction.atomic
def reprendre(
    membre: Organisation, pk: int, par: Utilisateur, depuis_version: int | None, jour: date
) -> DefinitionInstrument:
    """Le membre reprend la version amont actuelle : une nouvelle version de son instrument."""
    partage = partage_visible(membre, pk, jour)
    if partage is None or partage.mutualisante_id == membre.pk:
        raise ValidationError("Ce partage n'est pas ouvert à votre organisation.")
    amont = _amont(partage.mutualisante_id, partage.code)
    if amont is None:
        raise ValidationError("La mutualisante n'a plus d'adaptation de cet instrument.")
    return instruments.reprendre_adaptation(membre, amont, par, depuis_version)
