"""Ce qui modifie les données de l'impact sur les métiers : imports, revue des libellés, corrections
du référentiel, groupes suivis et actions. Chaque écriture passe par ici."""

from __future__ import annotations

import zlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django_tasks.base import Task

from balise import binaire, versions
from balise.organisations import journal
from balise.organisations.models import Organisation
from balise.travaux import services as travaux
from balise.travaux.models import Travail

from . import colonnes as col
from . import intitules_locaux, selectors, taches
from .correspondance import Apparieur, Statut, normaliser, regrouper_variantes
from .lecture import FichierIllisible, Tableau, preparer, reconnaitre, relire
from .models import (
    ActionAccompagnement,
    CorrespondanceRetenue,
    GroupeEffectif,
    GroupeSuivi,
    ImportEffectifs,
    LibelleImporte,
    LigneRejetee,
    MetierOrganisation,
)
from .referentiel import ReferentielLocal, charger

if TYPE_CHECKING:
    from balise.comptes.models import Utilisateur
    from balise.registre.models import SystemeIA

# Un fichier déposé qui n'a pas été traité (colonnes jamais choisies…) est effacé après ce délai.
DUREE_ATTENTE = timedelta(hours=24)
DIMENSIONS = ("categorie", "filiere", "direction", "cadre", "sexe")
_LECTEURS = {
    "categorie": col.categorie,
    "filiere": lambda v: col.texte(v, "filiere"),
    "direction": lambda v: col.texte(v, "direction"),
    "cadre": lambda v: col.texte(v, "cadre"),
    "sexe": col.sexe,
}
_UN = Decimal(1)


def referentiel_de(organisation: Organisation) -> ReferentielLocal:
    propres = MetierOrganisation.objects.filter(organisation=organisation).values_list(
        "libelle", "isco08", "niveau"
    )
    return ReferentielLocal(charger(), list(propres))


def apparieur_de(ref: ReferentielLocal) -> Apparieur:
    """L'apparieur d'un import : les métiers du référentiel de l'organisation (deux lignes de même forme
    et de même niveau ne font qu'un choix) et les intitulés locaux courants de la table versionnée."""
    return Apparieur(
        ref.metiers,
        niveaux={libelle: r.niveau for libelle, r in ref.metiers.items()},
        alias=intitules_locaux.alias(),
    )


# --- Dépôt, lecture et traitement d'un fichier -----------------------------------------------------
#
# La requête du dépôt ne fait que les vérifications qui ne coûtent rien, garde le fichier et met sa
# lecture dans la file ; la requête du choix des colonnes vérifie ce choix et met le traitement dans la
# file. Lecture et traitement s'exécutent dans le processus de fond (`manage.py travailleur`) : chacun
# écrit tout son résultat dans une seule transaction finale, ou rien (annulation, erreur, processus tué).

DEPOT_EFFACE = "Ce dépôt a été effacé entre-temps : déposez de nouveau le fichier."
# Une archive (XLSX, ODS) est déjà compressée : la compresser encore coûterait sans rien gagner.
_COMPRESSION = {"xlsx": 0, "ods": 0}


def deposer(
    organisation: Organisation, par: Utilisateur, nom_fichier: str, contenu: bytes
) -> ImportEffectifs:
    """Vérifie ce qui se vérifie sans lire le fichier (taille, signature, début d'un CSV), le garde
    compressé et met sa lecture dans la file du processus de fond. Lève FichierIllisible."""
    format_ = reconnaitre(contenu)
    purger_depots_expires()
    national = charger()
    with transaction.atomic():
        imp = ImportEffectifs.objects.create(
            organisation=organisation,
            nom_fichier=nom_fichier[-255:],
            format=format_,
            referentiel=national.provenance.id,
            version_referentiel=national.provenance.version,
            etat=ImportEffectifs.Etat.LECTURE,
            cree_par=par,
        )
        imp.contenu = zlib.compress(contenu, _COMPRESSION.get(format_, 1))
        binaire.ecrire(ImportEffectifs, imp.pk, "contenu", imp.contenu)
        _lancer(imp, Travail.Nature.LECTURE_EFFECTIFS, taches.lire, par)
    return imp


def relancer_lecture(imp: ImportEffectifs, par: Utilisateur) -> ImportEffectifs:
    """Relance la lecture d'un fichier dont la lecture a été annulée ou interrompue."""
    with transaction.atomic():
        imp = _verrouiller(imp)
        if imp.etat != ImportEffectifs.Etat.LECTURE or not imp.a_son_fichier or imp.en_travail:
            raise ImportDejaTraite("Ce fichier n'a pas de lecture à relancer.")
        _lancer(imp, Travail.Nature.LECTURE_EFFECTIFS, taches.lire, par)
    return imp


def choisir_colonnes(imp: ImportEffectifs, colonnes: dict[str, str], par: Utilisateur) -> ImportEffectifs:
    """Retient les colonnes choisies et met le traitement dans la file (ou le relance après un échec ou
    une annulation). Lève ColonnesInvalides ou ImportDejaTraite sans rien changer."""
    with transaction.atomic():
        imp = _verrouiller(imp)
        if not peut_choisir_colonnes(imp):
            raise ImportDejaTraite("Ce fichier a déjà été importé.")
        imp.colonnes = col.verifier(colonnes, imp.entetes)
        imp.etat = ImportEffectifs.Etat.TRAITEMENT
        _lancer(imp, Travail.Nature.TRAITEMENT_EFFECTIFS, taches.traiter, par)
    return imp


def peut_choisir_colonnes(imp: ImportEffectifs) -> bool:
    """Le fichier a été lu et n'est pas (ou plus) en traitement : après un échec ou une annulation du
    traitement, on peut le relancer, ou changer de colonnes."""
    if not imp.a_son_fichier:
        return False
    if imp.etat == ImportEffectifs.Etat.COLONNES:
        return True
    return imp.etat == ImportEffectifs.Etat.TRAITEMENT and not imp.en_travail


def annuler(imp: ImportEffectifs, par: Utilisateur) -> Travail:
    """Annule la lecture ou le traitement en cours (ou en attente) : rien de ce qu'il aurait écrit ne l'est.
    Lève TravailTermine s'il n'y a plus rien à annuler."""
    if imp.travail is None or imp.etat not in (ImportEffectifs.Etat.LECTURE, ImportEffectifs.Etat.TRAITEMENT):
        raise travaux.TravailTermine(travaux.DEJA_FINI)
    return travaux.annuler(imp.travail, par)


def _verrouiller(imp: ImportEffectifs) -> ImportEffectifs:
    return (
        ImportEffectifs.objects.sans_contenu()
        .select_for_update(of=("self",))
        .select_related("travail", "organisation")
        .get(pk=imp.pk)
    )


def _lancer(imp: ImportEffectifs, nature: str, tache: Task[..., Any], par: Utilisateur) -> None:
    """Dans la transaction de l'appelant : le travail, sa tâche et le lien de l'import, ou rien."""
    imp.travail = travaux.lancer(imp.organisation, par, nature, tache, imp.pk)
    imp.save(update_fields=["travail", "etat", "colonnes"])


def purger_depots_expires() -> int:
    """Efface les fichiers déposés qui n'ont pas été traités à temps (colonnes jamais choisies, lecture
    ou traitement échoués puis abandonnés) : à chaque dépôt, et par la commande `purger_depots`, à
    planifier. Renvoie le nombre d'imports effacés."""
    nombre, _ = ImportEffectifs.objects.filter(
        etat__in=ImportEffectifs.NON_TRAITES, cree_le__lt=timezone.now() - DUREE_ATTENTE
    ).delete()
    return nombre


class ImportDejaTraite(ValueError):
    pass


def lire(import_id: int, travail: Travail) -> None:
    """Le travail de lecture (processus de fond) : un classeur est converti en CSV par l'enfant calamine
    (une fois pour toutes), l'en-tête est lu et les colonnes proposées. Un fichier refusé est effacé
    aussitôt et le travail échoue avec le motif, en français."""
    imp = ImportEffectifs.objects.filter(pk=import_id, etat=ImportEffectifs.Etat.LECTURE).first()
    if imp is None or imp.contenu is None:
        raise travaux.Echec(DEPOT_EFFACE)
    classeur = imp.format != "csv"
    travaux.avancer(travail, "Lecture du classeur" if classeur else "Lecture du fichier")
    try:
        format_, prepare = preparer(imp.nom_fichier, zlib.decompress(imp.contenu), travaux.veille(travail))
        travaux.avancer(travail, "Lecture de l'en-tête")
        tableau = relire(format_, prepare)
    except FichierIllisible as erreur:
        _oublier_le_fichier(imp)
        raise travaux.Echec(erreur.message) from None
    precedent = (
        ImportEffectifs.objects.filter(organisation_id=imp.organisation_id)
        .exclude(etat__in=ImportEffectifs.NON_TRAITES)
        .values_list("colonnes", flat=True)
        .first()
    )
    travaux.avancer(travail, "Enregistrement")
    with travaux.conclure(travail):
        lu = ImportEffectifs.objects.filter(pk=imp.pk, etat=ImportEffectifs.Etat.LECTURE).update(
            etat=ImportEffectifs.Etat.COLONNES,
            format=format_,
            entetes=tableau.entetes,
            colonnes=col.proposer(tableau.entetes, precedent),
        )
        if not lu:
            raise travaux.Echec(DEPOT_EFFACE)
        if classeur:  # le CSV converti remplace le classeur ; il se compresse d'un facteur 5
            binaire.ecrire(ImportEffectifs, imp.pk, "contenu", zlib.compress(prepare, 1))


def _oublier_le_fichier(imp: ImportEffectifs) -> None:
    """Un fichier refusé n'est pas gardé : il contient les lignes des agents."""
    ImportEffectifs.objects.filter(pk=imp.pk).update(contenu=None)


# Part de l'avancement donnée à chaque étape du traitement (le reste : l'enregistrement).
_PART_LECTURE, _PART_RATTACHEMENT = 80, 10


def traiter(import_id: int, travail: Travail) -> None:
    """Le travail de traitement (processus de fond) : lit chaque ligne avec les colonnes choisies,
    regroupe les agents, rattache chaque libellé, puis écrit le tout et efface le fichier, dans une seule
    transaction. Un fichier refusé en cours de lecture est effacé, le travail échoue avec le motif."""
    imp = (
        ImportEffectifs.objects.select_related("organisation")
        .filter(pk=import_id, etat=ImportEffectifs.Etat.TRAITEMENT)
        .first()
    )
    if imp is None or imp.contenu is None:
        raise travaux.Echec(DEPOT_EFFACE)
    travaux.avancer(travail, "Lecture des lignes", 0)
    contenu = zlib.decompress(imp.contenu)
    physiques = max(contenu.count(b"\n"), 1)  # à peu près le nombre de lignes, pour le pourcentage
    try:
        lecture = _lire_les_lignes(imp, relire(imp.format, contenu), travail, physiques)
    except FichierIllisible as erreur:
        _oublier_le_fichier(imp)
        raise travaux.Echec(erreur.message) from None
    del contenu
    travaux.avancer(travail, "Rattachement des libellés", _PART_LECTURE)
    effectifs = {cle: sum(c[0] for c in d.values()) for cle, d in lecture.agregats.items()}
    libelles = _rattacher(imp, lecture.exemples, effectifs, travail)
    travaux.avancer(travail, "Enregistrement", _PART_LECTURE + _PART_RATTACHEMENT)
    with travaux.conclure(travail):
        verrou = ImportEffectifs.objects.select_for_update().only("pk")
        if verrou.filter(pk=imp.pk, etat=ImportEffectifs.Etat.TRAITEMENT).first() is None:
            raise travaux.Echec(DEPOT_EFFACE)
        _enregistrer(imp, lecture, libelles)


@dataclass
class _Lecture:
    dimensions: list[str]
    # (libellé normalisé, code CITP) → (valeurs des dimensions) → [effectif, ETP]
    agregats: dict[tuple[str, str], dict[tuple[str, ...], list]]
    exemples: dict[tuple[str, str], str]
    rejets: list[LigneRejetee]
    lues: int
    sans_quotite: int


def _lire_les_lignes(imp: ImportEffectifs, tableau: Tableau, travail: Travail, physiques: int) -> _Lecture:
    position = {code: imp.entetes.index(entete) for code, entete in imp.colonnes.items()}
    i_metier, i_isco, i_quotite = position["metier"], position.get("isco"), position.get("quotite")
    # Une colonne n'a que quelques dizaines de valeurs distinctes : chacune n'est lue qu'une fois
    # (functools.cache ne garde pas les exceptions : une valeur refusée l'est à chaque ligne).
    lire_metier, lire_isco, lire_quotite = cache(col.metier), cache(col.isco), cache(col.quotite)
    lecteurs = [(position[d], cache(_LECTEURS[d])) for d in DIMENSIONS if d in position]

    agregats: dict[tuple[str, str], dict[tuple[str, ...], list]] = defaultdict(dict)
    exemples: dict[tuple[str, str], str] = {}
    rejets: list[LigneRejetee] = []
    lues = sans_quotite = 0
    for numero, valeurs in tableau.lignes:
        lues += 1
        if not lues % 1000:
            travaux.avancer(travail, None, _PART_LECTURE * min(numero, physiques) // physiques)
        try:
            libelle = lire_metier(valeurs[i_metier])
            code = lire_isco(valeurs[i_isco]) if i_isco is not None else ""
            dims = tuple([lire(valeurs[i]) for i, lire in lecteurs])
            etp = lire_quotite(valeurs[i_quotite]) if i_quotite is not None else None
        except col.ValeurRefusee as motif:
            rejets.append(LigneRejetee(import_effectifs=imp, numero=numero, motif=str(motif)))
            continue
        if etp is None:
            sans_quotite += 1
            etp = _UN
        cle = (normaliser(libelle), code)
        exemples.setdefault(cle, libelle)
        case = agregats[cle].get(dims)
        if case is None:
            agregats[cle][dims] = [1, etp]
        else:
            case[0] += 1
            case[1] += etp
    if lues == 0:
        raise FichierIllisible("Le fichier ne contient aucune ligne de données.")
    dimensions = [d for d in DIMENSIONS if d in position]
    return _Lecture(dimensions, agregats, exemples, rejets, lues, sans_quotite)


def _enregistrer(imp: ImportEffectifs, lecture: _Lecture, libelles: list[LibelleImporte]) -> None:
    """Les écritures du traitement, dans la transaction finale du travail."""
    LibelleImporte.objects.bulk_create(libelles, batch_size=1000)
    par_cle = {(lib.normalise, lib.isco_fichier): lib for lib in libelles}
    GroupeEffectif.objects.bulk_create(
        (
            GroupeEffectif(
                import_effectifs=imp,
                libelle=par_cle[cle],
                effectif=effectif,
                etp=etp,
                **dict(zip(lecture.dimensions, dims, strict=True)),
            )
            for cle, cases in lecture.agregats.items()
            for dims, (effectif, etp) in cases.items()
        ),
        batch_size=2000,
    )
    LigneRejetee.objects.bulk_create(lecture.rejets, batch_size=2000)
    imp.contenu = None
    imp.lignes_lues = lecture.lues
    imp.lignes_rejetees = len(lecture.rejets)
    imp.lignes_retenues = lecture.lues - len(lecture.rejets)
    imp.sans_quotite = lecture.sans_quotite
    imp.traite_le = timezone.now()
    imp.etat = _etat_de(imp)
    imp.save()


def _etat_de(imp: ImportEffectifs) -> str:
    """L'état d'un import enregistré, d'après ses libellés en base."""
    a_revoir = imp.libelles.filter(statut__in=LibelleImporte.A_REVOIR).exists()
    return ImportEffectifs.Etat.REVUE if a_revoir else ImportEffectifs.Etat.PRET


def _rattacher(
    imp: ImportEffectifs,
    exemples: dict[tuple[str, str], str],
    effectifs: dict[tuple[str, str], int],
    travail: Travail | None = None,
) -> list[LibelleImporte]:
    """Un libellé se rattache, dans l'ordre : au choix mémorisé d'une revue précédente, au code CITP
    du fichier s'il désigne un seul niveau, sinon au métier le plus proche du référentiel."""
    ref = referentiel_de(imp.organisation)
    memorises = dict(
        CorrespondanceRetenue.objects.filter(organisation=imp.organisation).values_list("normalise", "metier")
    )
    apparieur = apparieur_de(ref)
    resultat = []
    for rang, ((norm, code), exemple) in enumerate(exemples.items()):
        if travail is not None and not rang % 50:
            travaux.avancer(travail, None, _PART_LECTURE + _PART_RATTACHEMENT * rang // len(exemples))
        lib = LibelleImporte(
            import_effectifs=imp,
            libelle=exemple,
            normalise=norm[:200],
            isco_fichier=code,
            effectif=effectifs[(norm, code)],
        )
        memorise = memorises.get(norm)
        if memorise is not None and (memorise == "" or memorise in ref.metiers):
            _appliquer(lib, ref, memorise, LibelleImporte.Statut.MEMORISE)
            lib.confiance = 100
        elif code in ref.par_isco:
            lib.statut, lib.confiance = LibelleImporte.Statut.CITP, 100
            lib.isco08, lib.niveau = code, ref.par_isco[code]
        else:
            appariement = apparieur.apparier(exemple)
            lib.candidats = [[c.libelle, c.score] for c in appariement.candidats]
            lib.raison = appariement.candidats[0].raison if appariement.candidats else ""
            lib.confiance = appariement.confiance
            lib.statut = LibelleImporte.Statut(appariement.statut.value)
            if appariement.statut in (Statut.EXACT, Statut.SUR):
                _appliquer(lib, ref, appariement.candidats[0].libelle, lib.statut)
        resultat.append(lib)
    _grouper(resultat)
    return resultat


def _grouper(libelles: list[LibelleImporte]) -> None:
    """Les libellés à revoir qui sont des variantes d'un même intitulé (fautes de frappe) partagent la
    forme de tête du plus fréquent d'entre eux : une décision de la revue les couvre tous."""
    a_revoir = sorted(
        (lib for lib in libelles if lib.statut in LibelleImporte.A_REVOIR), key=lambda lib: -lib.effectif
    )
    tetes = regrouper_variantes(list(dict.fromkeys(lib.normalise for lib in a_revoir)))
    tailles: dict[str, int] = defaultdict(int)
    for tete in tetes.values():
        tailles[tete] += 1
    for lib in a_revoir:
        tete = tetes[lib.normalise]
        lib.cle_groupe = tete if tailles[tete] > 1 else ""


def _appliquer(lib: LibelleImporte, ref: ReferentielLocal, metier: str, statut: str) -> None:
    """Rattache `lib` au métier `metier` du référentiel (vide : écarté de l'analyse)."""
    rattachement = ref.metiers.get(metier)
    if rattachement is None:
        lib.statut = LibelleImporte.Statut.HORS
        lib.metier = lib.isco08 = lib.niveau = ""
    else:
        lib.statut = statut
        lib.metier, lib.isco08, lib.niveau = metier, rattachement.isco08, rattachement.niveau


# --- Revue des libellés ----------------------------------------------------------------------------


@transaction.atomic
def reviser(imp: ImportEffectifs, choix: dict[int, str], par: Utilisateur) -> int:
    """Applique les choix de la revue (libellé → métier, ou "" pour l'écarter) et les mémorise pour
    les imports suivants. Renvoie le nombre de libellés changés."""
    imp = ImportEffectifs.objects.select_for_update().get(pk=imp.pk)
    ref = referentiel_de(imp.organisation)
    libelles = {lib.pk: lib for lib in imp.libelles.filter(pk__in=choix)}
    # Le choix fait pour la tête d'un groupe de variantes vaut pour toutes ses variantes (sauf celles
    # qui ont reçu leur propre choix dans le même envoi).
    par_groupe = {
        lib.cle_groupe: choix[pk] for pk, lib in libelles.items() if lib.cle_groupe == lib.normalise != ""
    }
    if par_groupe:
        for variante in imp.libelles.filter(cle_groupe__in=par_groupe).exclude(pk__in=libelles):
            libelles[variante.pk] = variante
            choix = {**choix, variante.pk: par_groupe[variante.cle_groupe]}
    memoires = {
        m.normalise: m
        for m in CorrespondanceRetenue.objects.filter(
            organisation=imp.organisation, normalise__in=[lib.normalise for lib in libelles.values()]
        )
    }
    changes = []
    for pk, metier in choix.items():
        lib = libelles.get(pk)
        if lib is None:
            continue
        if metier and metier not in ref.metiers:
            raise ValueError(f"Le métier « {metier[:80]} » n'est pas dans le référentiel.")
        if lib.metier == metier and lib.statut not in LibelleImporte.A_REVOIR:
            continue
        _appliquer(lib, ref, metier, LibelleImporte.Statut.CHOISI)
        lib.confiance = 100
        changes.append(lib)
        memoire = memoires.get(lib.normalise)
        if memoire is None:
            memoire = memoires[lib.normalise] = CorrespondanceRetenue(
                organisation=imp.organisation,
                normalise=lib.normalise,
                exemple=lib.libelle,
                metier=lib.metier,
                choisi_par=par,
            )
            versions.attribuer(memoire, par)
        elif memoire.metier != lib.metier:
            memoire.metier, memoire.choisi_par, memoire.exemple = lib.metier, par, lib.libelle
            versions.enregistrer(memoire, par)
    LibelleImporte.objects.bulk_update(changes, ["statut", "confiance", "metier", "isco08", "niveau"])
    imp.etat = _etat_de(imp)
    imp.save(update_fields=["etat"])
    return len(changes)


def accepter_propositions(imp: ImportEffectifs, seuil: int, par: Utilisateur) -> int:
    """Retient, pour chaque libellé à revoir (de toutes les pages, têtes de groupe ou seuls) dont la
    confiance atteint `seuil`, le métier proposé en premier ; mémorisé comme un choix de la revue, et
    étendu aux variantes de chaque tête. Renvoie le nombre de libellés changés (variantes comprises)."""
    if not 0 <= seuil <= 100:
        raise ValueError("Le seuil de confiance est un pourcentage, de 0 à 100.")
    choix = {
        pk: candidats[0][0]
        for pk, candidats in selectors.libelles_a_revoir(imp)
        .filter(confiance__gte=seuil)
        .values_list("pk", "candidats")
        if candidats
    }
    return reviser(imp, choix, par) if choix else 0


@transaction.atomic
def supprimer_import(imp: ImportEffectifs, par: Utilisateur) -> None:
    """Efface l'import et tout ce qui en vient (libellés, groupes d'agents, lignes rejetées) ; sa lecture
    ou son traitement en cours est annulé : il n'écrira rien. Le journal de l'organisation en garde la
    trace sans rien des agents : fichier, date, nombres de lignes, auteurs."""
    travail = (
        None
        if imp.travail_id is None
        else Travail.objects.filter(pk=imp.travail_id, etat__in=Travail.ACTIFS).first()
    )
    if travail is not None:
        travaux.annuler(travail, par)
    lignes: dict[str, int | str] = (
        {
            "lignes_lues": imp.lignes_lues,
            "lignes_retenues": imp.lignes_retenues,
            "lignes_rejetees": imp.lignes_rejetees,
        }
        if imp.traite_le is not None
        else {"etat": imp.get_etat_display()}
    )
    journal.noter(
        imp.organisation_id,
        par,
        journal.Nature.IMPORT_EFFACE,
        imp.nom_fichier,
        importe_le=imp.cree_le,
        importe_par=imp.cree_par.nom_affiche,
        **lignes,
    )
    imp.delete()


# --- Le référentiel de l'organisation --------------------------------------------------------------


def reappliquer(organisation: Organisation) -> None:
    """Après une correction du référentiel : chaque libellé rattaché reprend le code et le niveau à jour ;
    un libellé dont le métier a disparu redevient à revoir."""
    ref = referentiel_de(organisation)
    libelles = list(
        LibelleImporte.objects.filter(import_effectifs__organisation=organisation).exclude(metier="")
    )
    changes, imports = [], set()
    for lib in libelles:
        rattachement = ref.metiers.get(lib.metier)
        if rattachement is None:
            lib.statut, lib.metier, lib.isco08, lib.niveau = LibelleImporte.Statut.INCONNU, "", "", ""
        elif (lib.isco08, lib.niveau) != (rattachement.isco08, rattachement.niveau):
            lib.isco08, lib.niveau = rattachement.isco08, rattachement.niveau
        else:
            continue
        changes.append(lib)
        imports.add(lib.import_effectifs_id)
    LibelleImporte.objects.bulk_update(changes, ["statut", "metier", "isco08", "niveau"])
    # Un libellé redevenu à revoir ramène son import en revue : une requête pour tous les imports touchés.
    en_revue = set(
        LibelleImporte.objects.filter(import_effectifs__in=imports, statut__in=LibelleImporte.A_REVOIR)
        .values_list("import_effectifs_id", flat=True)
        .distinct()
    )
    for imp in ImportEffectifs.objects.filter(pk__in=imports).only("etat"):
        etat = ImportEffectifs.Etat.REVUE if imp.pk in en_revue else ImportEffectifs.Etat.PRET
        if etat != imp.etat:
            imp.etat = etat
            imp.save(update_fields=["etat"])


@transaction.atomic
def enregistrer_metier(
    organisation: Organisation,
    donnees: dict[str, Any],
    par: Utilisateur,
    pk: int | None = None,
    version: int | None = None,
) -> MetierOrganisation:
    """Ajoute un métier ou corrige un rattachement pour l'organisation (verrou optimiste en modification)."""
    if pk is None:
        metier = MetierOrganisation(organisation=organisation, cree_par=par, **donnees)
        metier.full_clean()
        versions.attribuer(metier, par)
    else:
        metier = versions.verrouiller(
            MetierOrganisation.objects.filter(organisation=organisation), pk, version
        )
        for champ, valeur in donnees.items():
            setattr(metier, champ, valeur)
        metier.full_clean()
        versions.enregistrer(metier, par)
    reappliquer(organisation)
    return metier


@transaction.atomic
def retirer_metier(metier: MetierOrganisation, par: Utilisateur) -> None:
    """Retire un métier propre (l'historique le garde) : le rattachement national reprend sa place."""
    metier._history_user = par  # type: ignore[attr-defined]  # lu par simple-history (sans annotations)
    organisation = metier.organisation
    metier.delete()
    reappliquer(organisation)


# --- Groupes suivis et actions ---------------------------------------------------------------------


def suivre_groupe(
    organisation: Organisation, niveau: str, dimension: str, valeur: str, par: Utilisateur
) -> GroupeSuivi:
    groupe = GroupeSuivi.objects.filter(
        organisation=organisation, niveau=niveau, dimension=dimension, valeur=valeur
    ).first()
    if groupe is None:
        groupe = GroupeSuivi(
            organisation=organisation, niveau=niveau, dimension=dimension, valeur=valeur, cree_par=par
        )
        groupe.full_clean()
        versions.attribuer(groupe, par)
    return groupe


@transaction.atomic
def modifier_groupe(
    groupe: GroupeSuivi, systemes: Iterable[SystemeIA], note: str, version: int | None, par: Utilisateur
) -> GroupeSuivi:
    groupe = versions.verrouiller(
        GroupeSuivi.objects.filter(organisation=groupe.organisation), groupe.pk, version
    )
    groupe.note = note
    versions.enregistrer(groupe, par)
    groupe.systemes.set(systemes)
    return groupe


@transaction.atomic
def enregistrer_action(
    groupe: GroupeSuivi,
    donnees: dict[str, Any],
    par: Utilisateur,
    pk: int | None = None,
    version: int | None = None,
) -> ActionAccompagnement:
    if pk is None:
        action = ActionAccompagnement(
            organisation=groupe.organisation, groupe=groupe, cree_par=par, **donnees
        )
        action.full_clean()
        versions.attribuer(action, par)
        return action
    action = versions.verrouiller(ActionAccompagnement.objects.filter(groupe=groupe), pk, version)
    for champ, valeur in donnees.items():
        setattr(action, champ, valeur)
    action.full_clean()
    versions.enregistrer(action, par)
    return action
