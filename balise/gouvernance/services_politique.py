"""Adapter la politique des portes d'une organisation, ou revenir à la politique nationale.

Chaque opération ajoute une version (`PolitiquePortes`) numérotée à la suite, attribuée et motivée ;
aucune n'est modifiée ni supprimée. Le contenu est validé par le schéma de la politique
(`politique.Politique`) : le critère bloquant des pratiques interdites ne peut pas être retiré des
portes de l'expérimentation, de la production et de la publication. Verrou optimiste : la personne
dit de quelle version elle est partie (`depuis_numero`, 0 pour la politique nationale jamais
adaptée) ; si une autre version a été enregistrée depuis, rien n'est écrit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from balise.instruments.models import DefinitionInstrument
from balise.organisations import journal

from . import politique
from . import selectors_politique as selecteurs
from .models import PolitiquePortes

if TYPE_CHECKING:
    from balise.comptes.models import Utilisateur
    from balise.organisations.models import Organisation

LONGUEUR_MOTIF = 2000


class ConflitPolitique(ValidationError):
    """Une autre version a été enregistrée depuis celle que la personne a ouverte (API : 409)."""

    def __init__(self, actuelle: PolitiquePortes | None, depuis_numero: int | None) -> None:
        self.actuelle = actuelle
        self.numero_actuel = actuelle.numero if actuelle else 0
        if depuis_numero is None:
            debut = "La version de la politique sur laquelle repose votre saisie n'a pas été transmise"
        elif actuelle is None:
            debut = "La politique des portes n'a plus la version que vous aviez ouverte"
        else:
            debut = (
                f"La politique des portes a été modifiée depuis que vous l'avez ouverte : version "
                f"n° {actuelle.numero} enregistrée le {timezone.localtime(actuelle.cree_le):%d/%m/%Y à %H:%M} "
                f"par {actuelle.cree_par.nom_affiche} (« {actuelle.motif[:200]} »)"
            )
        super().__init__(
            f"{debut}. Rien n'a été enregistré : relisez la politique en vigueur, puis refaites vos changements."
        )


def instruments_connus(organisation: Organisation) -> dict[str, str]:
    """Les instruments qu'un critère d'évaluation peut citer : les nationaux et ceux que l'organisation a
    adaptés (code → titre de la version la plus récente)."""
    connus: dict[str, str] = {}
    for code, titre in (
        DefinitionInstrument.objects.filter(Q(organisation=None) | Q(organisation=organisation))
        .order_by("code", "version")
        .values_list("code", "titre")
    ):
        connus[code] = titre
    return connus


def _motif(motif: str) -> str:
    motif = (motif or "").strip()
    if not motif:
        raise ValidationError("Indiquez le motif de ce changement : il est gardé avec la version.")
    if len(motif) > LONGUEUR_MOTIF:
        raise ValidationError(f"Le motif est trop long ({len(motif)} caractères, {LONGUEUR_MOTIF} au plus).")
    if "\x00" in motif:
        raise ValidationError("Le motif contient un caractère nul, refusé.")
    return motif


def _valider(organisation: Organisation, contenu: Any, base_version: int) -> politique.Politique:
    try:
        lue = politique.valider(contenu)
    except politique.PolitiqueInvalide as exc:
        raise ValidationError(
            ["La politique n'est pas valable, rien n'a été enregistré :", *exc.erreurs]
        ) from None
    connus = instruments_connus(organisation)
    inconnus = [
        f"le critère « {c.id} » cite l'instrument inconnu « {c.instrument} »"
        for porte in lue.portes.values()
        for c in porte.criteres
        if c.instrument and c.instrument not in connus
    ]
    if inconnus:
        raise ValidationError(["La politique n'est pas valable, rien n'a été enregistré :", *inconnus])
    # `version` dit la version nationale de départ et `mise_a_jour` la date de la version : Balise
    # les fixe, ce ne sont pas des choix de l'organisation.
    return lue.model_copy(update={"version": base_version, "mise_a_jour": timezone.localdate()})


def _numero(depuis_numero: Any) -> int | None:
    if isinstance(depuis_numero, bool) or not isinstance(depuis_numero, int) or depuis_numero < 0:
        return None
    return depuis_numero


def _sans_date(lue: politique.Politique) -> dict[str, Any]:
    return {k: v for k, v in politique.en_donnees(lue).items() if k != "mise_a_jour"}


def _enregistrer(
    organisation: Organisation,
    lue: politique.Politique,
    nature: str,
    motif: str,
    par: Utilisateur,
    depuis_numero: int | None,
    origine: str,
) -> PolitiquePortes:
    actuelle = selecteurs.derniere_version(organisation)
    numero_actuel = actuelle.numero if actuelle else 0
    if depuis_numero is None or depuis_numero != numero_actuel:
        raise ConflitPolitique(actuelle, depuis_numero)
    en_vigueur = selecteurs.applicable_de(actuelle)
    if nature == PolitiquePortes.Nature.ADAPTATION and _sans_date(en_vigueur.politique) == _sans_date(lue):
        raise ValidationError(
            "Cette politique est identique à celle en vigueur : aucune version n'a été ajoutée."
        )
    if _sans_date(lue) == _sans_date(politique.en_vigueur()):
        # Une adaptation qui redonne exactement la politique nationale est un retour à la nationale.
        nature = PolitiquePortes.Nature.NATIONALE
    try:
        # Deux enregistrements partis de la même version se heurtent à la contrainte d'unicité du
        # numéro : le second est refusé, comme une version périmée.
        with transaction.atomic():
            version = PolitiquePortes.objects.create(
                organisation=organisation,
                numero=numero_actuel + 1,
                nature=nature,
                base_version=lue.version,
                contenu=politique.en_donnees(lue),
                motif=motif,
                origine=origine,
                cree_par=par,
            )
    except IntegrityError:
        raise ConflitPolitique(selecteurs.derniere_version(organisation), depuis_numero) from None
    # Au journal aussi : c'est là qu'une direction relit ce qui a changé dans l'organisation.
    objet = f"Politique des portes {selecteurs.applicable_de(version).libelle}"
    journal.noter(organisation.pk, par, journal.Nature.POLITIQUE_PORTES, objet, motif=motif[:500])
    return version


def verifier_politique(organisation: Organisation, contenu: dict[str, Any]) -> politique.Politique:
    """La politique telle qu'elle serait enregistrée, validée, sans rien écrire (aperçu)."""
    actuelle = selecteurs.derniere_version(organisation)
    return _valider(
        organisation, contenu, actuelle.base_version if actuelle else politique.en_vigueur().version
    )


@transaction.atomic
def adapter_politique(
    organisation: Organisation,
    contenu: dict[str, Any] | politique.Politique,
    motif: str,
    par: Utilisateur,
    depuis_numero: int | None,
    origine: str = "",
) -> PolitiquePortes:
    """Enregistre une politique adaptée (contenu complet) comme nouvelle version de l'organisation."""
    motif = _motif(motif)
    actuelle = selecteurs.derniere_version(organisation)
    base = actuelle.base_version if actuelle else politique.en_vigueur().version
    donnees = politique.en_donnees(contenu) if isinstance(contenu, politique.Politique) else contenu
    lue = _valider(organisation, donnees, base)
    return _enregistrer(
        organisation, lue, PolitiquePortes.Nature.ADAPTATION, motif, par, _numero(depuis_numero), origine
    )


@transaction.atomic
def revenir_a_la_politique_nationale(
    organisation: Organisation, motif: str, par: Utilisateur, depuis_numero: int | None
) -> PolitiquePortes:
    """Une nouvelle version dont le contenu est la politique nationale en vigueur : les adaptations
    précédentes restent dans l'historique."""
    motif = _motif(motif)
    numero = _numero(depuis_numero)
    actuelle = selecteurs.derniere_version(organisation)
    if actuelle is None and numero == 0:
        raise ValidationError("Votre organisation suit déjà la politique nationale : rien à changer.")
    nationale = politique.en_vigueur()
    if (
        actuelle is not None
        and actuelle.numero == numero
        and actuelle.nature == PolitiquePortes.Nature.NATIONALE
        and actuelle.base_version == nationale.version
    ):
        raise ValidationError("Votre organisation suit déjà la politique nationale : rien à changer.")
    return _enregistrer(
        organisation, nationale, PolitiquePortes.Nature.NATIONALE, motif, par, numero, origine=""
    )
