"""Les autres modèles qu'une mutualisante tient pour ses membres (issue 17, point 2) : sa politique des
portes, sa charte de l'IA, ses règles d'usage, ses offres de formation et ses instances comme modèles ;
et les modèles d'IA générative de sa passerelle (issue 18, point 1), que ses membres emploient par son
fournisseur tant qu'elle les partage.
Le membre voit ce qu'il a repris, ce qui a changé en amont depuis, et choisit de suivre.

Un petit registre (`SORTES`) dit, pour chaque nature : son libellé, le droit qui la gère (le même que
dans l'organisation : qui gère la charte chez soi partage ou reprend une charte), comment lire l'amont
et son numéro, et comment le reprendre chez le membre. Reprendre passe toujours par le service du
domaine (validation, historique, journal) ; ce qui est repris appartient au membre, qui l'adapte ou
l'adopte ensuite par ses propres décisions. Où en est un membre se lit de sa dernière reprise
(`RepriseModele`) comparée au numéro actuel de l'amont.

Comme partages.py : fonctions courtes et atomiques, erreurs en français, rien n'est écrit en cas de
refus ; un membre reprend sous une convention qui ouvre l'accès ce jour-là ; chaque écriture est notée au
journal des deux côtés."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Max, Q
from django.utils import timezone

from balise import versions
from balise.chartes.models import VersionCharte
from balise.formations import services as services_formations
from balise.formations.models import OffreFormation
from balise.gouvernance import (
    modeles_instances,
    selectors_politique,
    services_instances,
    services_politique,
)
from balise.gouvernance.models import Instance, PolitiquePortes
from balise.organisations import journal
from balise.organisations.models import Organisation
from balise.organisations.roles import Permission, peut
from balise.passerelle import services_catalogue as catalogue_ia
from balise.passerelle.models import ModeleCatalogue
from balise.regles_usage import services as services_regles
from balise.regles_usage.models import Origine, VersionRegles

from .models import TYPES_MUTUALISANTS, Convention, ModelePartage, RepriseModele
from .partages import LONGUEUR_NOTE, mutualisantes_ouvertes

if TYPE_CHECKING:
    from balise.comptes.models import Utilisateur

Nature = ModelePartage.Nature
M = TypeVar("M", bound=models.Model)
Cle = tuple[int, str]  # (mutualisante, clé de l'objet partagé)


@dataclass(frozen=True)
class Amont:
    """L'état actuel du modèle chez la mutualisante."""

    objet: models.Model
    revision: int  # numéro de la politique, de la charte, des règles ; version de l'offre, de l'instance
    titre: str


# --- Lire l'amont, nature par nature (une requête par nature, quel que soit le nombre de partages) --


def _politiques(cles: Iterable[Cle]) -> dict[Cle, Amont]:
    # La dernière version de la mutualisante, si c'est une adaptation : un retour à la politique
    # nationale n'a rien à proposer (chaque membre suit déjà la nationale, ou l'a adaptée lui-même).
    applicables = selectors_politique.applicables(m for m, _ in cles)
    return {
        (m, ""): Amont(a.version, a.version.numero, f"Politique des portes adaptée n° {a.version.numero}")
        for m, a in applicables.items()
        if a.version is not None and a.version.nature == PolitiquePortes.Nature.ADAPTATION
    }


def _chartes(cles: Iterable[Cle]) -> dict[Cle, Amont]:
    adoptees = VersionCharte.objects.filter(
        organisation_id__in={m for m, _ in cles}, statut=VersionCharte.Statut.ADOPTEE
    )
    return {
        (v.organisation_id, ""): Amont(v, v.numero, f"{v.titre} (version n° {v.numero})") for v in adoptees
    }


def _regles(cles: Iterable[Cle]) -> dict[Cle, Amont]:
    publiees = VersionRegles.objects.filter(
        organisation_id__in={m for m, _ in cles}, statut=VersionRegles.Statut.PUBLIEE
    )
    return {
        (v.organisation_id, ""): Amont(v, v.numero, f"{v.titre} (version n° {v.numero})") for v in publiees
    }


def _pks(cles: Iterable[Cle]) -> Q:
    # Chaque objet désigné chez sa propre mutualisante : la clé d'une autre organisation ne lit rien.
    filtre = Q(pk__in=[])
    for m, cle in cles:
        if cle.isdigit():
            filtre |= Q(organisation_id=m, pk=int(cle))
    return filtre


def _offres(cles: Iterable[Cle]) -> dict[Cle, Amont]:
    return {
        (o.organisation_id, str(o.pk)): Amont(o, o.version, o.titre)
        for o in OffreFormation.objects.filter(_pks(cles))
    }


def _instances(cles: Iterable[Cle]) -> dict[Cle, Amont]:
    actives = Instance.objects.filter(_pks(cles), archive_le__isnull=True)
    return {(i.organisation_id, str(i.pk)): Amont(i, i.version, i.nom) for i in actives}


def _modeles_ia(cles: Iterable[Cle]) -> dict[Cle, Amont]:
    # Un modèle qu'elle propose elle-même, par un fournisseur actif : jamais un modèle qu'elle a repris.
    proposes = ModeleCatalogue.objects.filter(
        _pks(cles), actif=True, fournisseur__actif=True, amont__isnull=True
    ).select_related("fournisseur", "organisation")
    return {
        (m.organisation_id, str(m.pk)): Amont(m, m.version, f"{m.libelle} ({m.fournisseur.nom})")
        for m in proposes
    }


def modeles_ia_ouverts(membre: Organisation, amonts: Iterable[int], jour: date) -> set[int]:
    """Parmi ces modèles de mutualisantes, ceux que le membre peut encore employer ce jour-là : partagés
    (partage non retiré) par une mutualisante dont la convention lui ouvre l'accès. La clé du fournisseur
    reste la sienne : qu'elle retire le partage ou que la convention prenne fin, la copie ne sert plus."""
    partages = ModelePartage.objects.filter(
        nature=Nature.MODELE_IA,
        retire_le__isnull=True,
        mutualisante__in=mutualisantes_ouvertes(membre, jour),
        cle__in=[str(pk) for pk in amonts],
    )
    return {int(cle) for cle in partages.values_list("cle", flat=True)}


# --- Reprendre chez le membre, nature par nature ------------------------------------------------
#
# Chaque fonction reçoit le membre, l'amont, la reprise précédente (None : première fois), la personne
# et la version que le membre a lue de son propre objet (verrou optimiste), et rend la clé primaire de
# l'objet créé ou mis à jour chez lui.


def _reprendre_politique(
    membre: Organisation,
    amont: Amont,
    precedente: RepriseModele | None,
    par: Utilisateur,
    version: int | None,
) -> int:
    source = cast(PolitiquePortes, amont.objet)
    nom = source.organisation.nom
    cree = services_politique.adapter_politique(
        membre,
        source.contenu,
        f"Reprise de la politique des portes de {nom} (version n° {source.numero}).",
        par,
        version,
        origine=f"{nom}, version n° {source.numero}"[:200],
    )
    return cree.pk


def _verrou_politique(membre: Organisation, precedente: RepriseModele | None) -> int | None:
    return selectors_politique.applicable(membre).numero


def _numero_suivant(modele: type[VersionCharte] | type[VersionRegles], membre: Organisation) -> int:
    return (modele.objects.filter(organisation=membre).aggregate(m=Max("numero"))["m"] or 0) + 1


def _reprendre_charte(
    membre: Organisation,
    amont: Amont,
    precedente: RepriseModele | None,
    par: Utilisateur,
    version: int | None,
) -> int:
    source = cast(VersionCharte, amont.objet)
    # Sous le verrou du membre, comme chartes.services.composer : ni deux brouillons, ni deux numéros.
    Organisation.objects.select_for_update().filter(pk=membre.pk).first()
    brouillon = VersionCharte.objects.filter(
        organisation=membre, statut=VersionCharte.Statut.BROUILLON
    ).first()
    if brouillon is not None:
        raise ValidationError(
            f"Votre organisation a déjà un brouillon de charte (version n° {brouillon.numero}) : reprendre en "
            "créerait un second. Soumettez d'abord le vôtre à la consultation, ou recopiez-y ce qui vous "
            "convient de cette charte."
        )
    # Un brouillon : le membre le soumet à sa consultation et l'adopte par ses propres décisions.
    copie = VersionCharte(
        organisation=membre,
        numero=_numero_suivant(VersionCharte, membre),
        titre=source.titre,
        perimetre=source.perimetre,
        principes=list(source.principes),
        engagements=list(source.engagements),
        lignes_rouges=list(source.lignes_rouges),
        jeux=list(source.jeux),
        cree_par=par,
    )
    return versions.attribuer(copie, par).pk


def _reprendre_regles(
    membre: Organisation,
    amont: Amont,
    precedente: RepriseModele | None,
    par: Utilisateur,
    version: int | None,
) -> int:
    source = cast(VersionRegles, amont.objet)
    if VersionRegles.objects.filter(organisation=membre, statut=VersionRegles.Statut.BROUILLON).exists():
        raise ValidationError(
            "Votre organisation a déjà un brouillon de règles d'usage : reprendre en créerait un second. "
            "Publiez d'abord le vôtre, ou recopiez-y ce qui vous convient de ces règles."
        )
    # Une règle « d'origine charte » venait de la charte de la mutualisante, pas de celle du membre.
    regles = [
        {**r, "origine": Origine.PROPRE} if r.get("origine") == Origine.CHARTE else r for r in source.regles
    ]
    brouillon = VersionRegles(
        organisation=membre,
        numero=_numero_suivant(VersionRegles, membre),
        titre=source.titre,
        introduction=source.introduction,
        regles=services_regles.valider_regles(regles),
        cree_par=par,
    )
    try:
        with transaction.atomic():
            versions.attribuer(brouillon, par)
    except IntegrityError:  # un brouillon ouvert au même moment (contrainte : un seul brouillon)
        raise ValidationError("Un brouillon des règles vient d'être ouvert : rechargez la page.") from None
    return brouillon.pk


def _copie(objets: models.QuerySet[M], precedente: RepriseModele | None) -> M | None:
    """La copie faite chez le membre à la reprise précédente, si elle est encore là."""
    return objets.filter(pk=precedente.objet).first() if precedente is not None else None


def _verrou_de(
    copie: Callable[[Organisation, RepriseModele | None], Any],
) -> Callable[[Organisation, RepriseModele | None], int | None]:
    """Le verrou d'une sorte qui met à jour sa copie : la version de cette copie, s'il y en a une."""

    def verrou(membre: Organisation, precedente: RepriseModele | None) -> int | None:
        trouvee = copie(membre, precedente)
        return trouvee.version if trouvee is not None else None

    return verrou


def _copie_offre(membre: Organisation, precedente: RepriseModele | None) -> OffreFormation | None:
    return _copie(OffreFormation.objects.filter(organisation=membre), precedente)


def _reprendre_offre(
    membre: Organisation,
    amont: Amont,
    precedente: RepriseModele | None,
    par: Utilisateur,
    version: int | None,
) -> int:
    source = cast(OffreFormation, amont.objet)
    donnees = {champ: getattr(source, champ) for champ in services_formations.CHAMPS_OFFRE}
    # Suivre une nouvelle version met à jour la copie faite à la reprise précédente (sous son verrou) ;
    # si le membre l'a supprimée depuis, une nouvelle copie est créée.
    copie = _copie_offre(membre, precedente)
    if copie is None:
        return services_formations.enregistrer_offre(membre, donnees, par).pk
    return services_formations.enregistrer_offre(membre, donnees, par, pk=copie.pk, version=version).pk


def _copie_instance(membre: Organisation, precedente: RepriseModele | None) -> Instance | None:
    return _copie(Instance.objects.filter(organisation=membre, archive_le__isnull=True), precedente)


def _reprendre_instance(
    membre: Organisation,
    amont: Amont,
    precedente: RepriseModele | None,
    par: Utilisateur,
    version: int | None,
) -> int:
    source = cast(Instance, amont.objet)
    # Le réglage de l'instance, jamais ses membres : chacun nomme les siens.
    donnees = {champ: getattr(source, champ) for champ in services_instances.CHAMPS_INSTANCE}
    colleges = list(source.colleges.values_list("nom", flat=True))
    copie = _copie_instance(membre, precedente)
    if copie is None:
        # Le modèle livré dont l'instance de la mutualisante est partie, s'il est encore livré.
        modele = source.modele if source.modele in modeles_instances.en_vigueur().par_id else ""
        return services_instances.creer_instance(membre, donnees, par, modele=modele, colleges=colleges).pk
    copie = services_instances.modifier_instance(membre, copie.pk, donnees, version, par)
    # Les collèges nouveaux en amont s'ajoutent ; ceux du membre restent (des sièges peuvent y renvoyer).
    presents = {n.casefold() for n in copie.colleges.values_list("nom", flat=True)}
    for nom in colleges:
        if nom.casefold() not in presents:
            services_instances.ajouter_college(copie, nom, par)
    return copie.pk


def _copie_modele_ia(membre: Organisation, precedente: RepriseModele | None) -> ModeleCatalogue | None:
    return _copie(ModeleCatalogue.objects.filter(organisation=membre), precedente)


def _reprendre_modele_ia(
    membre: Organisation,
    amont: Amont,
    precedente: RepriseModele | None,
    par: Utilisateur,
    version: int | None,
) -> int:
    copie = _copie_modele_ia(membre, precedente)
    source = cast(ModeleCatalogue, amont.objet)
    return catalogue_ia.reprendre_modele(membre, source, copie.pk if copie else None, version, par).pk


def _sans_verrou(membre: Organisation, precedente: RepriseModele | None) -> int | None:
    return None  # un nouveau brouillon : rien du membre n'est modifié


# --- Le registre --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sorte:
    libelle: str
    permission: Permission  # le droit qui gère cet objet dans l'organisation, de chaque côté
    par_objet: bool  # un objet désigné (offre, instance) ; sinon le document en vigueur
    absent: str  # le refus quand la mutualisante n'a rien de tel à partager
    cree: str  # ce que la reprise crée ou met à jour chez le membre (journal des deux côtés)
    succes: str  # le message au membre qui vient de reprendre
    lire: Callable[[Iterable[Cle]], dict[Cle, Amont]]
    reprendre: Callable[[Organisation, Amont, RepriseModele | None, Utilisateur, int | None], int]
    verrou: Callable[[Organisation, RepriseModele | None], int | None]


SORTES: dict[str, Sorte] = {
    Nature.POLITIQUE: Sorte(
        "Politique des portes",
        Permission.GOUVERNER,
        False,
        "Adaptez d'abord votre politique des portes : seule une adaptation de votre organisation se partage.",
        "Une nouvelle version de la politique des portes du membre",
        "Repris : c'est désormais la politique des portes de votre organisation (son historique garde "
        "la précédente).",
        _politiques,
        _reprendre_politique,
        _verrou_politique,
    ),
    Nature.CHARTE: Sorte(
        "Charte de l'IA",
        Permission.PILOTER_PROGRAMME,
        False,
        "Adoptez d'abord votre charte de l'IA : seule une version adoptée se partage.",
        "Un brouillon de la charte du membre, à soumettre à sa consultation puis à adopter",
        "Repris comme brouillon de votre charte : soumettez-le à votre consultation, puis adoptez-le "
        "selon votre propre processus.",
        _chartes,
        _reprendre_charte,
        _sans_verrou,
    ),
    Nature.REGLES: Sorte(
        "Règles d'usage de l'IA",
        Permission.PILOTER_PROGRAMME,
        False,
        "Publiez d'abord vos règles d'usage : seule une version publiée se partage.",
        "Un brouillon des règles d'usage du membre, à relire puis publier",
        "Repris comme brouillon de vos règles d'usage : relisez-le, adaptez-le, puis publiez-le.",
        _regles,
        _reprendre_regles,
        _sans_verrou,
    ),
    Nature.OFFRE: Sorte(
        "Offre de formation",
        Permission.GERER_FORMATIONS,
        True,
        "Choisissez une offre de formation de votre organisation.",
        "Une offre de formation du membre (créée, ou mise à jour si elle avait déjà été reprise)",
        "Repris : l'offre figure parmi les offres de formation de votre organisation.",
        _offres,
        _reprendre_offre,
        _verrou_de(_copie_offre),
    ),
    Nature.INSTANCE: Sorte(
        "Modèle d'instance",
        Permission.GOUVERNER,
        True,
        "Choisissez une instance active de votre organisation.",
        "Une instance du membre, sans ses membres (créée, ou réglée de nouveau si elle avait déjà été reprise)",
        "Repris : l'instance est réglée comme le modèle ; nommez-en vous-même les membres.",
        _instances,
        _reprendre_instance,
        _verrou_de(_copie_instance),
    ),
    Nature.MODELE_IA: Sorte(
        "Modèle d'IA générative approuvé",
        Permission.GERER_CATALOGUE,
        True,
        "Choisissez un modèle que votre passerelle propose, par un fournisseur actif.",
        "Un modèle du catalogue de la passerelle du membre, par le fournisseur de la mutualisante, avec sa "
        "fiche au registre du membre (créé, ou réglé de nouveau s'il avait déjà été repris)",
        "Repris : le modèle figure au catalogue de votre passerelle, avec sa fiche dans votre registre. La "
        "clé du fournisseur reste chez la mutualisante ; vos agents l'emploient tant qu'elle le partage.",
        _modeles_ia,
        _reprendre_modele_ia,
        _verrou_de(_copie_modele_ia),
    ),
}


def _amonts(partages: Iterable[ModelePartage]) -> dict[tuple[str, int, str], Amont]:
    """L'amont de chaque partage : une requête par nature présente."""
    par_nature: dict[str, set[Cle]] = {}
    for p in partages:
        par_nature.setdefault(p.nature, set()).add((p.mutualisante_id, p.cle))
    return {
        (nature, *cle): amont
        for nature, cles in par_nature.items()
        for cle, amont in SORTES[nature].lire(cles).items()
        if cle in cles
    }


def _amont(partage: ModelePartage) -> Amont | None:
    return _amonts([partage]).get((partage.nature, partage.mutualisante_id, partage.cle))


def _noter(
    organisations: Iterable[int], par: Utilisateur, nature: str, partage: ModelePartage, **details: Any
) -> None:
    """La même entrée au journal de chaque organisation concernée."""
    objet = f"{partage.get_nature_display()} de {partage.mutualisante.nom}"
    for organisation_id in dict.fromkeys(organisations):
        journal.noter(organisation_id, par, nature, objet, mutualisante=partage.mutualisante.nom, **details)


def _membres_ouverts(mutualisante: Organisation, jour: date) -> list[int]:
    """Les membres dont la convention ouvre l'accès ce jour-là : ceux qui voient le partage."""
    signees = Convention.objects.filter(mutualisante=mutualisante, etat=Convention.Etat.EN_VIGUEUR)
    return [c.membre_id for c in signees if c.ouvre_l_acces(jour)]


def partage_visible(organisation: Organisation, pk: int, jour: date) -> ModelePartage | None:
    """Un partage en cours que l'organisation voit : le sien (mutualisante) ou celui d'une mutualisante
    dont la convention lui ouvre l'accès ce jour-là (membre)."""
    return (
        ModelePartage.objects.filter(pk=pk, retire_le__isnull=True)
        .filter(Q(mutualisante=organisation) | Q(mutualisante__in=mutualisantes_ouvertes(organisation, jour)))
        .select_related("mutualisante")
        .first()
    )


def permission(nature: str) -> Permission | None:
    sorte = SORTES.get(nature)
    return sorte.permission if sorte else None


# --- Côté mutualisante ---------------------------------------------------------------------------


def partageables(mutualisante: Organisation, role: str | None) -> list[tuple[str, list[tuple[str, str]]]]:
    """Ce que la personne peut partager, par nature : (libellé, [(« nature:clé », libellé de l'objet)])."""
    if mutualisante.type not in TYPES_MUTUALISANTS:
        return []
    deja = set(
        ModelePartage.objects.filter(mutualisante=mutualisante, retire_le__isnull=True).values_list(
            "nature", "cle"
        )
    )
    candidats: dict[str, list[Cle]] = {
        Nature.OFFRE: [
            (mutualisante.pk, str(pk))
            for pk in OffreFormation.objects.filter(organisation=mutualisante).values_list("pk", flat=True)
        ],
        Nature.INSTANCE: [
            (mutualisante.pk, str(pk))
            for pk in Instance.objects.filter(organisation=mutualisante, archive_le__isnull=True).values_list(
                "pk", flat=True
            )
        ],
        Nature.MODELE_IA: [
            (mutualisante.pk, str(pk))
            for pk in ModeleCatalogue.objects.filter(organisation=mutualisante).values_list("pk", flat=True)
        ],
    }
    groupes = []
    for nature, sorte in SORTES.items():
        if not peut(role, sorte.permission):
            continue
        amonts = sorte.lire(candidats.get(nature, [(mutualisante.pk, "")]))
        options = sorted(
            ((f"{nature}:{cle}", a.titre) for (_, cle), a in amonts.items() if (nature, cle) not in deja),
            key=lambda o: o[1],
        )
        if options:
            groupes.append((sorte.libelle, options))
    return groupes


def _lire_cle(nature: object, cle: object) -> tuple[str, Sorte, str]:
    """La nature et la clé choisies, vérifiées : une clé n'a de sens que pour une offre, une instance."""
    sorte = SORTES.get(nature) if isinstance(nature, str) else None
    if sorte is None or not isinstance(nature, str):
        raise ValidationError(
            "Choisissez ce que vous partagez : politique, charte, règles, offre, instance ou modèle d'IA."
        )
    texte = cle.strip() if isinstance(cle, str) else ""
    if not sorte.par_objet:
        return nature, sorte, ""
    if not (texte.isascii() and texte.isdigit() and len(texte) <= 18):
        raise ValidationError(sorte.absent)
    return nature, sorte, texte


@transaction.atomic
def partager(
    mutualisante: Organisation, nature: object, cle: object, note: object, par: Utilisateur
) -> ModelePartage:
    if mutualisante.type not in TYPES_MUTUALISANTS:
        raise ValidationError("Seule une organisation mutualisante partage des modèles avec des membres.")
    nature, sorte, cle = _lire_cle(nature, cle)
    amont = sorte.lire([(mutualisante.pk, cle)]).get((mutualisante.pk, cle))
    if amont is None:
        raise ValidationError(sorte.absent)
    note = note.strip() if isinstance(note, str) else ""
    if len(note) > LONGUEUR_NOTE:
        raise ValidationError({"note": f"La note tient en {LONGUEUR_NOTE} caractères au plus."})
    partage = ModelePartage(mutualisante=mutualisante, nature=nature, cle=cle, note=note, partage_par=par)
    try:
        with transaction.atomic():
            versions.attribuer(partage, par)
    except IntegrityError:
        raise ValidationError(f"« {amont.titre} » est déjà partagé avec vos membres.") from None
    details = {
        "modele": amont.titre,
        "version_amont": f"n° {amont.revision}",
        **({"note": note} if note else {}),
    }
    _noter(
        [mutualisante.pk, *_membres_ouverts(mutualisante, timezone.localdate())],
        par,
        journal.Nature.MODELE_PARTAGE,
        partage,
        **details,
    )
    return partage


@transaction.atomic
def retirer(mutualisante: Organisation, pk: int, version: int | None, par: Utilisateur) -> ModelePartage:
    """Retire le partage : les membres ne le voient plus ; ce qu'ils ont repris reste à eux."""
    partage = versions.verrouiller(
        ModelePartage.objects.filter(retire_le__isnull=True).select_related("mutualisante"), pk, version
    )
    if partage.mutualisante_id != mutualisante.pk:
        raise ValidationError("Seule la mutualisante qui l'a partagé retire ce partage.")
    partage.retire_le = timezone.now()
    versions.enregistrer(partage, par)
    amont = _amont(partage)
    _noter(
        [mutualisante.pk, *_membres_ouverts(mutualisante, timezone.localdate())],
        par,
        journal.Nature.MODELE_RETIRE,
        partage,
        **({"modele": amont.titre} if amont else {}),
    )
    return partage


@dataclass(frozen=True)
class ModeleDeLaMutualisante:
    partage: ModelePartage
    sorte: Sorte
    amont: Amont | None  # None : la mutualisante n'a plus rien de tel (retour à la nationale, archivé…)
    repris: int  # membres qui l'ont repris
    a_jour: int  # parmi eux, ceux dont la dernière reprise est l'amont actuel


def _dernieres_reprises(filtre: Q) -> dict[tuple[int, str, str, int], RepriseModele]:
    """La dernière reprise de chaque (mutualisante, nature, clé, membre), quel que soit le partage
    (retiré puis repartagé, le même modèle reste repris)."""
    resultat: dict[tuple[int, str, str, int], RepriseModele] = {}
    for r in RepriseModele.objects.filter(filtre).select_related("partage").order_by("le", "pk"):
        resultat[(r.partage.mutualisante_id, r.partage.nature, r.partage.cle, r.membre_id)] = r
    return resultat


def partages_de(mutualisante: Organisation) -> list[ModeleDeLaMutualisante]:
    """Ses partages en cours, leur amont, et combien de membres les ont repris et sont à jour."""
    partages = list(
        ModelePartage.objects.filter(mutualisante=mutualisante, retire_le__isnull=True)
        .select_related("mutualisante")
        .order_by("nature", "pk")
    )
    if not partages:
        return []
    amonts = _amonts(partages)
    reprises = _dernieres_reprises(Q(partage__mutualisante=mutualisante))
    resultat = []
    for p in partages:
        amont = amonts.get((p.nature, p.mutualisante_id, p.cle))
        siennes = [
            r for (m, n, c, _), r in reprises.items() if (m, n, c) == (p.mutualisante_id, p.nature, p.cle)
        ]
        a_jour = sum(1 for r in siennes if amont is not None and r.revision == amont.revision)
        resultat.append(ModeleDeLaMutualisante(p, SORTES[p.nature], amont, len(siennes), a_jour))
    return resultat


# --- Côté membre --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ModeleVuDuMembre:
    partage: ModelePartage
    sorte: Sorte
    amont: Amont
    reprise: RepriseModele | None  # sa dernière reprise de ce modèle
    version_locale: int | None  # le verrou de son propre objet, à renvoyer pour reprendre

    @property
    def a_jour(self) -> bool:
        return self.reprise is not None and self.reprise.revision == self.amont.revision

    @property
    def statut(self) -> str:
        if self.reprise is None:
            return "Pas encore repris"
        if self.a_jour:
            return "Repris, à jour"
        return f"Nouvelle version amont : n° {self.amont.revision}, vous avez repris le n° {self.reprise.revision}"


def partages_pour(membre: Organisation, jour: date) -> list[ModeleVuDuMembre]:
    """Ce que ses mutualisantes (convention ouverte ce jour-là) lui partagent, et où il en est."""
    mutualisantes = mutualisantes_ouvertes(membre, jour)
    partages = list(
        ModelePartage.objects.filter(mutualisante__in=mutualisantes, retire_le__isnull=True)
        .select_related("mutualisante")
        .order_by("mutualisante__nom", "nature", "pk")
    )
    if not partages:
        return []
    amonts = _amonts(partages)
    reprises = _dernieres_reprises(Q(membre=membre, partage__mutualisante__in=mutualisantes))
    resultat = []
    for p in partages:
        amont = amonts.get((p.nature, p.mutualisante_id, p.cle))
        if amont is None:  # plus rien à reprendre chez la mutualisante
            continue
        sorte = SORTES[p.nature]
        reprise = reprises.get((p.mutualisante_id, p.nature, p.cle, membre.pk))
        resultat.append(ModeleVuDuMembre(p, sorte, amont, reprise, sorte.verrou(membre, reprise)))
    return resultat


@transaction.atomic
def reprendre(
    membre: Organisation,
    pk: int,
    par: Utilisateur,
    revision_lue: int | None,
    version: int | None,
    jour: date,
) -> RepriseModele:
    """Le membre reprend l'amont actuel (adopter, ou suivre la nouvelle version) : `revision_lue` est le
    numéro de l'amont qu'il a lu, `version` le verrou de son propre objet (politique, offre, instance)."""
    partage = partage_visible(membre, pk, jour)
    if partage is None or partage.mutualisante_id == membre.pk:
        raise ValidationError("Ce partage n'est pas ouvert à votre organisation.")
    # Le partage verrouillé : deux reprises simultanées du même modèle se font l'une après l'autre.
    ModelePartage.objects.select_for_update().filter(pk=partage.pk).first()
    sorte = SORTES[partage.nature]
    amont = _amont(partage)
    nom = partage.mutualisante.nom
    if amont is None:
        raise ValidationError(f"{nom} n'a plus ce modèle à proposer : rien n'a été repris.")
    if revision_lue is None or isinstance(revision_lue, bool) or not isinstance(revision_lue, int):
        raise ValidationError(
            "Le numéro du modèle que vous avez lu n'a pas été transmis : rien n'a été repris, rechargez la page."
        )
    if revision_lue != amont.revision:
        raise ValidationError(
            f"{nom} a changé ce modèle depuis que vous avez ouvert la page (n° {amont.revision} désormais) : "
            "rien n'a été repris, relisez-le puis reprenez-le."
        )
    precedente = _dernieres_reprises(
        Q(
            membre=membre,
            partage__mutualisante=partage.mutualisante_id,
            partage__nature=partage.nature,
            partage__cle=partage.cle,
        )
    ).get((partage.mutualisante_id, partage.nature, partage.cle, membre.pk))
    if precedente is not None and precedente.revision == amont.revision:
        raise ValidationError(f"Vous avez déjà repris le n° {amont.revision} de ce modèle.")
    objet = sorte.reprendre(membre, amont, precedente, par, version)
    reprise = RepriseModele.objects.create(
        partage=partage, membre=membre, revision=amont.revision, objet=objet, par=par
    )
    _noter(
        [partage.mutualisante_id, membre.pk],
        par,
        journal.Nature.MODELE_REPRIS,
        partage,
        membre=membre.nom,
        modele=amont.titre,
        version_amont=f"n° {amont.revision}"
        + (f" (la reprise précédente était le n° {precedente.revision})" if precedente else ""),
        resultat=sorte.cree,
    )
    return reprise


# --- La section de la page « Mutualisation » ----------------------------------------------------


@dataclass(frozen=True)
class Tableau:
    de: list[ModeleDeLaMutualisante]  # ses partages (mutualisante)
    partageables: list[tuple[str, list[tuple[str, str]]]]  # ce que la personne peut encore partager
    pour: list[ModeleVuDuMembre]  # ce que ses mutualisantes lui partagent (membre)
    geres: frozenset[str]  # les natures que la personne gère : partager, retirer, reprendre


def tableau(organisation: Organisation, role: str | None, jour: date) -> Tableau:
    mutualisante = organisation.type in TYPES_MUTUALISANTS
    return Tableau(
        de=partages_de(organisation) if mutualisante else [],
        partageables=partageables(organisation, role) if mutualisante else [],
        pour=partages_pour(organisation, jour),
        geres=frozenset(n for n, s in SORTES.items() if peut(role, s.permission)),
    )
