"""Ce qui modifie les données de l'impact sur les métiers : imports, revue des libellés, corrections
du référentiel, groupes suivis et actions. Chaque écriture passe par ici."""

from __future__ import annotations

import zlib
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal
from functools import cache

from django.db import transaction
from django.utils import timezone

from balise import versions
from balise.organisations import journal
from balise.organisations.models import Organisation

from . import colonnes as col
from .correspondance import Apparieur, Statut, normaliser
from .lecture import FichierIllisible, preparer, relire
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

# Un fichier déposé dont les colonnes n'ont pas été choisies est effacé après ce délai.
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


# --- Dépôt et traitement d'un fichier --------------------------------------------------------------


def deposer(organisation: Organisation, par, nom_fichier: str, contenu: bytes) -> ImportEffectifs:
    """Vérifie que le fichier se lit et garde son contenu le temps de choisir les colonnes (un classeur,
    lu une seule fois, est gardé converti en CSV : le traitement ne le relit pas)."""
    format_, prepare = preparer(nom_fichier, contenu)  # lève FichierIllisible
    tableau = relire(format_, prepare)
    purger_depots_expires()
    precedent = (
        ImportEffectifs.objects.filter(organisation=organisation)
        .exclude(etat=ImportEffectifs.Etat.COLONNES)
        .values_list("colonnes", flat=True)
        .first()
    )
    national = charger()
    return ImportEffectifs.objects.create(
        organisation=organisation,
        nom_fichier=nom_fichier[-255:],
        format=format_,
        referentiel=national.provenance.id,
        version_referentiel=national.provenance.version,
        contenu=zlib.compress(prepare, 1),  # un CSV se compresse d'un facteur 5 en quelques millisecondes
        entetes=tableau.entetes,
        colonnes=col.proposer(tableau.entetes, precedent),
        cree_par=par,
    )


def purger_depots_expires() -> int:
    """Efface les fichiers déposés dont les colonnes n'ont pas été choisies à temps (à chaque dépôt,
    et par la commande `purger_depots`, à planifier). Renvoie le nombre d'imports effacés."""
    nombre, _ = ImportEffectifs.objects.filter(
        etat=ImportEffectifs.Etat.COLONNES, cree_le__lt=timezone.now() - DUREE_ATTENTE
    ).delete()
    return nombre


class ImportDejaTraite(ValueError):
    pass


@transaction.atomic
def traiter(import_effectifs: ImportEffectifs, colonnes: dict[str, str], par) -> ImportEffectifs:
    """Lit le fichier avec les colonnes choisies, regroupe les agents, rattache chaque libellé, puis
    efface le fichier. Lève ColonnesInvalides ou FichierIllisible sans rien enregistrer."""
    imp = ImportEffectifs.objects.select_for_update().get(pk=import_effectifs.pk)
    if imp.etat != ImportEffectifs.Etat.COLONNES or imp.contenu is None:
        raise ImportDejaTraite("Ce fichier a déjà été importé.")
    choisies = col.verifier(colonnes, imp.entetes)
    tableau = relire(imp.format, zlib.decompress(imp.contenu))
    position = {code: imp.entetes.index(entete) for code, entete in choisies.items()}
    i_metier, i_isco, i_quotite = position["metier"], position.get("isco"), position.get("quotite")
    # Une colonne n'a que quelques dizaines de valeurs distinctes : chacune n'est lue qu'une fois
    # (functools.cache ne garde pas les exceptions : une valeur refusée l'est à chaque ligne).
    lire_metier, lire_isco, lire_quotite = cache(col.metier), cache(col.isco), cache(col.quotite)
    lecteurs = [(position[d], cache(_LECTEURS[d])) for d in DIMENSIONS if d in position]
    dimensions_lues = [d for d in DIMENSIONS if d in position]

    # (libellé normalisé, code CITP) → (valeurs des dimensions) → [effectif, ETP]
    agregats: dict[tuple[str, str], dict[tuple[str, ...], list]] = defaultdict(dict)
    exemples: dict[tuple[str, str], str] = {}
    rejets: list[LigneRejetee] = []
    lues = sans_quotite = 0
    for numero, valeurs in tableau.lignes:
        lues += 1
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

    libelles = _rattacher(imp, exemples, {cle: sum(c[0] for c in d.values()) for cle, d in agregats.items()})
    LibelleImporte.objects.bulk_create(libelles, batch_size=1000)
    par_cle = {(lib.normalise, lib.isco_fichier): lib for lib in libelles}
    GroupeEffectif.objects.bulk_create(
        (
            GroupeEffectif(
                import_effectifs=imp,
                libelle=par_cle[cle],
                effectif=effectif,
                etp=etp,
                **dict(zip(dimensions_lues, dims, strict=True)),
            )
            for cle, cases in agregats.items()
            for dims, (effectif, etp) in cases.items()
        ),
        batch_size=2000,
    )
    LigneRejetee.objects.bulk_create(rejets, batch_size=2000)
    imp.colonnes = choisies
    imp.contenu = None
    imp.lignes_lues = lues
    imp.lignes_rejetees = len(rejets)
    imp.lignes_retenues = lues - len(rejets)
    imp.sans_quotite = sans_quotite
    imp.traite_le = timezone.now()
    imp.etat = _etat_de(imp)
    imp.save()
    return imp


def _etat_de(imp: ImportEffectifs) -> str:
    """L'état d'un import enregistré, d'après ses libellés en base."""
    a_revoir = imp.libelles.filter(statut__in=LibelleImporte.A_REVOIR).exists()
    return ImportEffectifs.Etat.REVUE if a_revoir else ImportEffectifs.Etat.PRET


def _rattacher(
    imp: ImportEffectifs, exemples: dict[tuple[str, str], str], effectifs: dict[tuple[str, str], int]
) -> list[LibelleImporte]:
    """Un libellé se rattache, dans l'ordre : au choix mémorisé d'une revue précédente, au code CITP
    du fichier s'il désigne un seul niveau, sinon au métier le plus proche du référentiel."""
    ref = referentiel_de(imp.organisation)
    memorises = dict(
        CorrespondanceRetenue.objects.filter(organisation=imp.organisation).values_list("normalise", "metier")
    )
    apparieur = Apparieur(ref.metiers)
    resultat = []
    for (norm, code), exemple in exemples.items():
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
            lib.confiance = appariement.confiance
            lib.statut = LibelleImporte.Statut(appariement.statut.value)
            if appariement.statut in (Statut.EXACT, Statut.SUR):
                _appliquer(lib, ref, appariement.candidats[0].libelle, lib.statut)
        resultat.append(lib)
    return resultat


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
def reviser(imp: ImportEffectifs, choix: dict[int, str], par) -> int:
    """Applique les choix de la revue (libellé → métier, ou "" pour l'écarter) et les mémorise pour
    les imports suivants. Renvoie le nombre de libellés changés."""
    imp = ImportEffectifs.objects.select_for_update().get(pk=imp.pk)
    ref = referentiel_de(imp.organisation)
    libelles = {lib.pk: lib for lib in imp.libelles.filter(pk__in=choix)}
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


@transaction.atomic
def supprimer_import(imp: ImportEffectifs, par) -> None:
    """Efface l'import et tout ce qui en vient (libellés, groupes d'agents, lignes rejetées). Le journal
    de l'organisation en garde la trace sans rien des agents : fichier, date, nombres de lignes, auteurs."""
    lignes = (
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
    organisation: Organisation, donnees: dict, par, pk: int | None = None, version: int | None = None
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
def retirer_metier(metier: MetierOrganisation, par) -> None:
    """Retire un métier propre (l'historique le garde) : le rattachement national reprend sa place."""
    metier._history_user = par  # type: ignore[attr-defined]
    organisation = metier.organisation
    metier.delete()
    reappliquer(organisation)


# --- Groupes suivis et actions ---------------------------------------------------------------------


def suivre_groupe(organisation: Organisation, niveau: str, dimension: str, valeur: str, par) -> GroupeSuivi:
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
def modifier_groupe(groupe: GroupeSuivi, systemes, note: str, version: int, par) -> GroupeSuivi:
    groupe = versions.verrouiller(
        GroupeSuivi.objects.filter(organisation=groupe.organisation), groupe.pk, version
    )
    groupe.note = note
    versions.enregistrer(groupe, par)
    groupe.systemes.set(systemes)
    return groupe


@transaction.atomic
def enregistrer_action(
    groupe: GroupeSuivi, donnees: dict, par, pk: int | None = None, version: int | None = None
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
