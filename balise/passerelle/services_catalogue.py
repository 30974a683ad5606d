"""Tenir le catalogue des modèles approuvés : fournisseurs (clé chiffrée, jamais relue), modèles (classes
de données, prix, fiche du registre), réglages de la passerelle. Chaque écriture est attribuée et
historisée ; une modification passe par le verrou optimiste (balise/versions.py)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from balise import versions
from balise.comptes.models import Utilisateur
from balise.organisations.models import Organisation
from balise.passerelle import chiffrement
from balise.passerelle.models import Fournisseur, ModeleCatalogue, Reglages
from balise.passerelle.politique import CLASSES, LIBELLES_CLASSES
from balise.registre import services as registre
from balise.registre.models import SystemeIA
from balise.registre.referentiels import Cible, Domaine, Positionnement, Realisation, TypeIA

CHAMPS_FOURNISSEUR = ("nom", "url_base", "hebergement", "delai_s", "actif")
CHAMPS_MODELE = (
    "identifiant",
    "libelle",
    "prix_entree_million",
    "prix_sortie_million",
    "jetons_max",
    "ecologits_fournisseur",
    "ecologits_modele",
    "parametres_actifs_milliards",
    "parametres_totaux_milliards",
    "actif",
)
# Ce qu'un modèle repris d'une mutualisante tient d'elle (son contrat avec le fournisseur) : le membre
# garde la main sur le nom affiché, « proposé aux agents » et, parmi les classes qu'elle permet, les siennes.
CHAMPS_AMONT = tuple(c for c in CHAMPS_MODELE if c not in ("libelle", "actif"))
LIBELLES_CHAMPS = {f.name: f.verbose_name for f in ModeleCatalogue._meta.fields}


def _poser_cle(fournisseur: Fournisseur, cle: str) -> None:
    cle = cle.strip()
    if not cle:
        return
    if len(cle) > 500:
        raise ValidationError("La clé d'API est trop longue (500 caractères au plus).")
    fournisseur.cle_chiffree = chiffrement.chiffrer(cle)
    fournisseur.cle_fin = cle[-4:]


def _valider(objet: Fournisseur | ModeleCatalogue) -> None:
    objet.full_clean(exclude=["organisation", "cree_par", "fournisseur", "systeme"])


def _nom_libre(objet: Fournisseur | ModeleCatalogue) -> None:
    """Deux fournisseurs, deux modèles d'une organisation ne portent pas le même nom : l'agent choisit
    un modèle par son nom (page, `model` de l'API)."""
    if isinstance(objet, Fournisseur):
        pris = Fournisseur.objects.filter(organisation_id=objet.organisation_id, nom=objet.nom)
        message = f"Un fournisseur s'appelle déjà « {objet.nom} »."
    else:
        pris = ModeleCatalogue.objects.filter(organisation_id=objet.organisation_id, libelle=objet.libelle)  # type: ignore[assignment]
        message = f"Un modèle s'appelle déjà « {objet.libelle} » dans le catalogue."
    if pris.exclude(pk=objet.pk).exists():
        raise ValidationError(message)


@transaction.atomic
def ajouter_fournisseur(
    organisation: Organisation, donnees: dict[str, Any], cle: str, par: Utilisateur
) -> Fournisseur:
    fournisseur = Fournisseur(
        organisation=organisation, cree_par=par, **{c: donnees[c] for c in CHAMPS_FOURNISSEUR if c in donnees}
    )
    _poser_cle(fournisseur, cle)
    _valider(fournisseur)
    _nom_libre(fournisseur)
    versions.attribuer(fournisseur, par)
    return fournisseur


@transaction.atomic
def modifier_fournisseur(
    organisation: Organisation,
    fournisseur_id: int,
    donnees: dict[str, Any],
    cle: str,
    version_attendue: int | None,
    par: Utilisateur,
) -> Fournisseur:
    """Une clé vide garde la clé en place : on ne la montre jamais, on ne la redemande pas. Retirer un
    fournisseur, c'est le désactiver (`actif`) : son journal reste lié à lui."""
    fournisseurs = Fournisseur.objects.filter(organisation=organisation)
    fournisseur = versions.verrouiller(fournisseurs, fournisseur_id, version_attendue)
    for champ in CHAMPS_FOURNISSEUR:
        if champ in donnees:
            setattr(fournisseur, champ, donnees[champ])
    _poser_cle(fournisseur, cle)
    _valider(fournisseur)
    _nom_libre(fournisseur)
    versions.enregistrer(fournisseur, par)
    return fournisseur


def _classes(classes: Any) -> list[str]:
    inconnues = [c for c in classes if c not in CLASSES]
    if inconnues:
        raise ValidationError(f"Classes de données inconnues : {', '.join(map(str, inconnues))}.")
    return [c for c in CLASSES if c in classes]


def _fiche_du_registre(
    organisation: Organisation, fournisseur: Fournisseur, libelle: str, par: Utilisateur
) -> SystemeIA:
    """L'usage d'un modèle par la passerelle est un système d'IA : sa fiche, à compléter et qualifier."""
    return registre.creer_systeme(
        organisation,
        {
            "nom": f"Passerelle d'IA générative : {libelle}",
            "finalite": (
                "Assistance des agents à la rédaction, au résumé et à la recherche d'information, par la "
                "passerelle de Balise (données personnelles repérées et masquées avant l'envoi)."
            ),
            "service": "Tous services",
            "responsable": par.get_full_name() or par.email,
            "domaine": Domaine.GESTION_ADMINISTRATIVE,
            "type_ia": TypeIA.GENERATIVE,
            "cible": Cible.AGENTS,
            "positionnement": Positionnement.AMELIORER,
            "realisation": Realisation.PRESTATAIRE,
            "hebergement": fournisseur.hebergement,
            "fournisseur": (
                fournisseur.nom
                if fournisseur.organisation_id == organisation.pk
                else f"{fournisseur.nom}, par {fournisseur.organisation.nom}"
            )[:200],
        },
        par,
    )


@transaction.atomic
def ajouter_modele(
    organisation: Organisation,
    fournisseur_id: int,
    donnees: dict[str, Any],
    classes: list[str],
    par: Utilisateur,
    systeme_id: int | None = None,
) -> ModeleCatalogue:
    """Approuver un modèle ; sans fiche du registre désignée, en créer une (en étude)."""
    fournisseur = Fournisseur.objects.filter(organisation=organisation, pk=fournisseur_id).first()
    if fournisseur is None:
        raise ValidationError("Ce fournisseur n'est pas dans votre catalogue.")
    modele = ModeleCatalogue(
        organisation=organisation,
        fournisseur=fournisseur,
        cree_par=par,
        classes_permises=_classes(classes),
        **{c: donnees[c] for c in CHAMPS_MODELE if c in donnees},
    )
    _valider(modele)
    _nom_libre(modele)
    if systeme_id is not None:
        systeme = SystemeIA.objects.actifs().filter(organisation=organisation, pk=systeme_id).first()
        if systeme is None:
            raise ValidationError("Cette fiche n'est pas dans votre registre.")
        modele.systeme = systeme
    else:
        modele.systeme = _fiche_du_registre(organisation, fournisseur, modele.libelle, par)
    versions.attribuer(modele, par)
    return modele


@transaction.atomic
def modifier_modele(
    organisation: Organisation,
    modele_id: int,
    donnees: dict[str, Any],
    classes: list[str],
    version_attendue: int | None,
    par: Utilisateur,
) -> ModeleCatalogue:
    modeles = ModeleCatalogue.objects.filter(organisation=organisation)
    modele = versions.verrouiller(modeles, modele_id, version_attendue)
    if modele.amont_id is not None:
        # Lu à part : PostgreSQL ne verrouille pas le côté facultatif d'une jointure.
        amont = ModeleCatalogue.objects.select_related("organisation").get(pk=modele.amont_id)
        _dans_le_cadre_de_l_amont(modele, amont, donnees, classes)
    for champ in CHAMPS_MODELE:
        if champ in donnees:
            setattr(modele, champ, donnees[champ])
    modele.classes_permises = _classes(classes)
    _valider(modele)
    _nom_libre(modele)
    versions.enregistrer(modele, par)
    return modele


def _dans_le_cadre_de_l_amont(
    modele: ModeleCatalogue, amont: ModeleCatalogue, donnees: dict[str, Any], classes: list[str]
) -> None:
    """Un modèle repris se règle chez la mutualisante ; le membre peut seulement restreindre les classes
    de données qu'il reçoit, jamais les élargir au-delà de ce qu'elle permet."""
    nom = amont.organisation.nom
    changes = [c for c in CHAMPS_AMONT if c in donnees and donnees[c] != getattr(modele, c)]
    if changes:
        libelles = ", ".join(str(LIBELLES_CHAMPS[c]) for c in changes)
        raise ValidationError(f"Ce modèle est repris de {nom}, qui en règle elle-même : {libelles}.")
    en_trop = [c for c in _classes(classes) if c not in amont.classes_permises]
    if en_trop:
        raise ValidationError(
            f"{nom} n'autorise pas ce modèle à recevoir ces données en clair : {libelle_classes(en_trop)}."
        )


def _libelle_libre(membre: Organisation, source: ModeleCatalogue) -> str:
    """Le nom du modèle chez la mutualisante, ou, s'il est déjà pris chez le membre, suivi du nom d'elle."""
    pris = set(ModeleCatalogue.objects.filter(organisation=membre).values_list("libelle", flat=True))
    for libelle in (source.libelle, f"{source.libelle} ({source.organisation.nom})"[:120]):
        if libelle not in pris:
            return libelle
    raise ValidationError(
        f"Votre catalogue a déjà un modèle « {source.libelle} » et un « {source.libelle} "
        f"({source.organisation.nom}) » : renommez l'un d'eux, puis reprenez."
    )


@transaction.atomic
def reprendre_modele(
    membre: Organisation,
    source: ModeleCatalogue,
    copie_id: int | None,
    version_attendue: int | None,
    par: Utilisateur,
) -> ModeleCatalogue:
    """Reprendre le modèle approuvé d'une mutualisante, ou suivre sa nouvelle version (`copie_id` : la
    copie faite à la reprise précédente). La copie passe par le fournisseur de la mutualisante, dont la
    clé n'est jamais recopiée ; elle a sa propre fiche au registre du membre, qui déploie le système."""
    donnees = {c: getattr(source, c) for c in CHAMPS_AMONT}
    copie = ModeleCatalogue.objects.filter(organisation=membre, pk=copie_id).first() if copie_id else None
    if copie is None:
        modele = ModeleCatalogue(
            organisation=membre,
            fournisseur=source.fournisseur,
            amont=source,
            libelle=_libelle_libre(membre, source),
            classes_permises=list(source.classes_permises),
            cree_par=par,
            **donnees,
        )
        _valider(modele)
        modele.systeme = _fiche_du_registre(membre, source.fournisseur, modele.libelle, par)
        return versions.attribuer(modele, par)
    copie = versions.verrouiller(
        ModeleCatalogue.objects.filter(organisation=membre), copie.pk, version_attendue
    )
    for champ, valeur in donnees.items():
        setattr(copie, champ, valeur)
    copie.fournisseur, copie.amont = source.fournisseur, source
    copie.classes_permises = list(source.classes_permises)
    _valider(copie)
    versions.enregistrer(copie, par)
    return copie


def reglages(organisation: Organisation) -> Reglages:
    """Les réglages de l'organisation, ceux par défaut tant qu'elle n'en a pas enregistré (non écrits)."""
    return Reglages.objects.filter(organisation=organisation).first() or Reglages(organisation=organisation)


@transaction.atomic
def regler(
    organisation: Organisation,
    mention: str,
    conservation_jours: int,
    termes_propres: str,
    version_attendue: int | None,
    par: Utilisateur,
) -> Reglages:
    """Les premiers réglages s'enregistrent sous la version 1 (ceux par défaut que la page montrait)."""
    existants = Reglages.objects.filter(organisation=organisation).first()
    if existants is None:
        if version_attendue != 1:
            raise ValidationError(
                "Ces réglages ont changé depuis que vous avez ouvert la page : rechargez-la."
            )
        objet = Reglages(organisation=organisation)
    else:
        objet = versions.verrouiller(Reglages.objects.all(), existants.pk, version_attendue)
    objet.mention, objet.conservation_jours, objet.termes_propres = (
        mention,
        conservation_jours,
        termes_propres,
    )
    objet.full_clean(exclude=["organisation"])
    if existants is None:
        return versions.attribuer(objet, par)
    versions.enregistrer(objet, par)
    return objet


def libelle_classes(classes: list[str]) -> str:
    return ", ".join(LIBELLES_CLASSES[c] for c in classes) or "publiques seulement"
