"""Les autres modèles partagés par une mutualisante (issue 17, point 2) : politique des portes, charte,
règles d'usage, offres de formation, modèles d'instances. Pour chacun : partager, reprendre, voir la
nouvelle version amont, la suivre ; et chaque refus laisse la base inchangée."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from balise.chartes import services as chartes
from balise.chartes.models import VersionCharte
from balise.formations import services as formations
from balise.formations.models import OffreFormation
from balise.gouvernance import politique, services_avis, services_instances, services_politique
from balise.gouvernance.models import Instance, PolitiquePortes
from balise.mutualisation import modeles_partages, services
from balise.mutualisation.models import ModelePartage, RepriseModele
from balise.organisations.models import EvenementJournal
from balise.regles_usage import services as regles_usage
from balise.regles_usage.models import VersionRegles
from balise.versions import ConflitEdition
from tests import fabrique, instantane
from tests import gouvernance_fabrique as gf

AUJOURD_HUI = timezone.localdate
Nature = ModelePartage.Nature


@pytest.fixture
def agglo(db):
    return fabrique.organisation("Agglomération du Val", slug="agglo", type="epci", siren="200000172")


@pytest.fixture
def admin_agglo(agglo):
    return fabrique.membre(agglo, "administrateur", "admin@agglo.fr")


def _signee(agglo, membre, admin_agglo, admin_membre, **termes):
    c = services.proposer(
        agglo,
        membre,
        admin_agglo,
        objet="Accompagnement",
        role="referent",
        debut=termes.get("debut", AUJOURD_HUI()),
        fin=termes.get("fin"),
    )
    return services.signer(membre, c.pk, c.version, admin_membre)


def _client(personne) -> Client:
    client = Client()
    client.force_login(personne)
    return client


def _photo():
    """La photo commune (tests/instantane.py), plus ce qu'elle ne couvre pas : partages, reprises, offres."""
    etat = instantane.photo()
    for modele in (ModelePartage, ModelePartage.history.model, RepriseModele, OffreFormation):
        etat[modele._meta.label] = list(modele.objects.order_by("pk").values())
    return etat


def _vu(membre, partage):
    (vu,) = [m for m in modeles_partages.partages_pour(membre, AUJOURD_HUI()) if m.partage.pk == partage.pk]
    return vu


def _de(agglo, partage):
    (de,) = [m for m in modeles_partages.partages_de(agglo) if m.partage.pk == partage.pk]
    return de


def _reprendre_par_la_page(personne, slug, partage, vu, **autres):
    donnees = {"revision": vu.amont.revision}
    if vu.version_locale is not None:
        donnees["version"] = vu.version_locale
    return _client(personne).post(
        f"/o/{slug}/mutualisation/modeles/{partage.pk}/reprendre/", donnees | autres, follow=True
    )


def _journal(org, nature):
    return EvenementJournal.objects.filter(organisation=org, nature=nature).count()


# --- Fabriquer l'amont chez l'agglomération -----------------------------------------------------


def _adapter_politique(org, admin, libelle):
    contenu = politique.en_donnees(politique.en_vigueur())
    radar = next(c for c in contenu["portes"]["experimentation"]["criteres"] if c["id"] == "radar_amont")
    radar["libelle"] = libelle
    numero = PolitiquePortes.objects.filter(organisation=org).count()
    return services_politique.adapter_politique(org, contenu, f"Adapter : {libelle}", admin, numero)


def _adopter_charte(org, admin, titre, lignes_rouges=()):
    v = chartes.composer(
        org,
        {
            "titre": titre,
            "principes": ["sndgct/transparence"],
            "engagements": [f"Engagement de {titre}"],
            "lignes_rouges": list(lignes_rouges),
        },
        admin,
    )
    _soumettre_et_adopter(org, admin, v)
    v.refresh_from_db()
    return v


def _soumettre_et_adopter(org, admin, v):
    seance = gf.seance(gf.instance(org, f"Comité social {v.pk}"), gf.dans(7), admin)
    point = chartes.soumettre(v.pk, seance.pk, v.version, admin)
    services_avis.rendre_avis(point, {"sens": "favorable", "motifs": "Claire."}, [], admin)
    v.refresh_from_db()
    chartes.adopter(v.pk, "direction", AUJOURD_HUI(), v.version, admin)


def _publier_regles(org, admin, texte, origine="propre"):
    v = regles_usage.creer_brouillon(org, admin)
    regles = [*v.regles, {"sens": "faire", "texte": texte, "origine": origine}]
    regles_usage.modifier_brouillon(org, v.pk, {"regles": regles}, admin, v.version)
    v.refresh_from_db()
    return regles_usage.publier(org, v.pk, admin, v.version)


OFFRE = {
    "titre": "Atelier IA générative pour les secrétaires de mairie",
    "organisme": "Agglomération",
    "format": "atelier",
    "public": "Secrétaires de mairie",
    "palier": "acculturation",
}


def _instance(org, admin):
    return services_instances.creer_instance(
        org,
        {
            "nom": "Comité d'éthique intercommunal",
            "mission": "Rendre des avis sur les projets d'IA des communes.",
            "nature": "consultative",
            "quorum_pourcent": 40,
            "regle_vote": "deux_tiers",
            "avis_publics": True,
            "periodicite": "Trimestrielle",
        },
        admin,
        colleges=["Élus", "Experts"],
    )


# --- Politique des portes -----------------------------------------------------------------------


def test_politique_partagee_reprise_puis_suivie(agglo, admin_agglo, org_a, admin_a):
    _signee(agglo, org_a, admin_agglo, admin_a)
    amont = _adapter_politique(agglo, admin_agglo, "Radar intercommunal")
    partage = modeles_partages.partager(agglo, Nature.POLITIQUE, "", "Le COPIL le demande.", admin_agglo)
    assert _journal(agglo, "modele_partage") == 1 and _journal(org_a, "modele_partage") == 1
    vu = _vu(org_a, partage)
    assert (vu.statut, vu.amont.revision, vu.version_locale) == ("Pas encore repris", amont.numero, 0)

    page = _reprendre_par_la_page(admin_a, "commune-a", partage, vu).content.decode()
    assert "c&#x27;est désormais la politique des portes de votre organisation" in page
    reprise = PolitiquePortes.objects.get(organisation=org_a)
    assert reprise.origine == "Agglomération du Val, version n° 1"
    radar = next(
        c for c in reprise.contenu["portes"]["experimentation"]["criteres"] if c["id"] == "radar_amont"
    )
    assert radar["libelle"] == "Radar intercommunal" and reprise.cree_par == admin_a
    assert _vu(org_a, partage).statut == "Repris, à jour"
    assert (_de(agglo, partage).repris, _de(agglo, partage).a_jour) == (1, 1)
    for org in (agglo, org_a):
        assert _journal(org, "modele_repris") == 1
    assert _journal(org_a, "politique_portes") == 1  # le service de la politique a noté sa version

    _adapter_politique(agglo, admin_agglo, "Radar intercommunal, seconde édition")
    vu = _vu(org_a, partage)
    assert vu.statut == "Nouvelle version amont : n° 2, vous avez repris le n° 1"
    assert (_de(agglo, partage).repris, _de(agglo, partage).a_jour) == (1, 0)
    # La commune a adapté sa politique entre-temps : suivre depuis la version lue avant est refusé.
    _adapter_politique(org_a, admin_a, "Radar de la commune")
    avant = _photo()
    page = _reprendre_par_la_page(admin_a, "commune-a", partage, vu).content.decode()
    assert "a été modifiée depuis que vous l&#x27;avez ouverte" in page
    assert _photo() == avant
    vu = _vu(org_a, partage)
    _reprendre_par_la_page(admin_a, "commune-a", partage, vu)
    assert _vu(org_a, partage).a_jour
    assert (
        PolitiquePortes.objects.filter(organisation=org_a)
        .order_by("-numero")
        .first()
        .origine.endswith("n° 2")
    )


# --- Charte de l'IA -----------------------------------------------------------------------------


def test_charte_reprise_en_brouillon_puis_suivie(agglo, admin_agglo, org_a, admin_a):
    _signee(agglo, org_a, admin_agglo, admin_a)
    avant = _photo()
    with pytest.raises(ValidationError, match="Adoptez d'abord votre charte"):
        modeles_partages.partager(agglo, Nature.CHARTE, "", "", admin_agglo)
    assert _photo() == avant
    amont = _adopter_charte(agglo, admin_agglo, "Charte intercommunale", ["Aucune décision automatique"])
    partage = modeles_partages.partager(agglo, Nature.CHARTE, "", "", admin_agglo)
    vu = _vu(org_a, partage)
    assert vu.statut == "Pas encore repris" and vu.version_locale is None

    reprise = modeles_partages.reprendre(org_a, partage.pk, admin_a, amont.numero, None, AUJOURD_HUI())
    brouillon = VersionCharte.objects.get(pk=reprise.objet)
    assert (brouillon.organisation, brouillon.statut, brouillon.titre) == (
        org_a,
        VersionCharte.Statut.BROUILLON,
        "Charte intercommunale",
    )
    assert (brouillon.principes, brouillon.engagements, brouillon.lignes_rouges) == (
        amont.principes,
        amont.engagements,
        ["Aucune décision automatique"],
    )
    assert brouillon.history.get().history_user == admin_a
    assert _vu(org_a, partage).statut == "Repris, à jour"

    v2 = _adopter_charte(agglo, admin_agglo, "Charte intercommunale révisée")
    vu = _vu(org_a, partage)
    assert vu.statut == f"Nouvelle version amont : n° {v2.numero}, vous avez repris le n° {amont.numero}"
    # Le brouillon repris attend encore la consultation de la commune : suivre est refusé, clairement.
    avant = _photo()
    with pytest.raises(ValidationError, match="déjà un brouillon de charte"):
        modeles_partages.reprendre(org_a, partage.pk, admin_a, v2.numero, None, AUJOURD_HUI())
    page = _reprendre_par_la_page(admin_a, "commune-a", partage, vu).content.decode()
    assert "déjà un brouillon de charte (version n° 1)" in page
    assert _photo() == avant
    _soumettre_et_adopter(org_a, admin_a, brouillon)  # la commune adopte par son propre processus
    _reprendre_par_la_page(admin_a, "commune-a", partage, _vu(org_a, partage))
    nouvelle = VersionCharte.objects.get(organisation=org_a, statut=VersionCharte.Statut.BROUILLON)
    assert (nouvelle.numero, nouvelle.titre) == (2, "Charte intercommunale révisée")
    assert _vu(org_a, partage).a_jour


# --- Règles d'usage -----------------------------------------------------------------------------


def test_regles_reprises_en_brouillon_puis_suivies(agglo, admin_agglo, org_a, admin_a):
    _signee(agglo, org_a, admin_agglo, admin_a)
    with pytest.raises(ValidationError, match="Publiez d'abord vos règles"):
        modeles_partages.partager(agglo, Nature.REGLES, "", "", admin_agglo)
    amont = _publier_regles(agglo, admin_agglo, "Relire toute réponse générée", origine="charte")
    partage = modeles_partages.partager(agglo, Nature.REGLES, "", "", admin_agglo)
    propre = regles_usage.creer_brouillon(org_a, admin_a)  # la commune avait commencé les siennes
    vu = _vu(org_a, partage)
    avant = _photo()
    page = _reprendre_par_la_page(admin_a, "commune-a", partage, vu).content.decode()
    assert "déjà un brouillon de règles d&#x27;usage" in page
    assert _photo() == avant
    regles_usage.publier(org_a, propre.pk, admin_a, propre.version)

    _reprendre_par_la_page(admin_a, "commune-a", partage, vu)
    brouillon = VersionRegles.objects.get(organisation=org_a, statut=VersionRegles.Statut.BROUILLON)
    assert [r["texte"] for r in brouillon.regles] == [r["texte"] for r in amont.regles]
    # La règle venue de la charte de l'agglomération n'est pas « de la charte » de la commune.
    assert brouillon.regles[-1]["origine"] == "propre"
    assert _vu(org_a, partage).statut == "Repris, à jour"

    v2 = _publier_regles(agglo, admin_agglo, "Ne jamais saisir de données de santé")
    vu = _vu(org_a, partage)
    assert vu.statut == f"Nouvelle version amont : n° {v2.numero}, vous avez repris le n° {amont.numero}"
    with pytest.raises(ValidationError, match="déjà un brouillon de règles"):
        modeles_partages.reprendre(org_a, partage.pk, admin_a, v2.numero, None, AUJOURD_HUI())
    regles_usage.publier(org_a, brouillon.pk, admin_a, brouillon.version)
    modeles_partages.reprendre(org_a, partage.pk, admin_a, v2.numero, None, AUJOURD_HUI())
    assert _vu(org_a, partage).a_jour


# --- Offres de formation ------------------------------------------------------------------------


def test_offre_reprise_puis_mise_a_jour_sous_verrou(agglo, admin_agglo, org_a, admin_a):
    _signee(agglo, org_a, admin_agglo, admin_a)
    offre = formations.enregistrer_offre(agglo, OFFRE, admin_agglo)
    partage = modeles_partages.partager(agglo, Nature.OFFRE, str(offre.pk), "", admin_agglo)
    vu = _vu(org_a, partage)
    assert (vu.statut, vu.version_locale) == ("Pas encore repris", None)
    _reprendre_par_la_page(admin_a, "commune-a", partage, vu)
    copie = OffreFormation.objects.get(organisation=org_a)
    assert (copie.titre, copie.public, copie.format) == (OFFRE["titre"], OFFRE["public"], "atelier")

    offre = formations.enregistrer_offre(
        agglo, {**OFFRE, "duree_heures": 3}, admin_agglo, pk=offre.pk, version=offre.version
    )
    vu = _vu(org_a, partage)
    assert vu.statut == "Nouvelle version amont : n° 2, vous avez repris le n° 1"
    assert vu.version_locale == copie.version
    formations.enregistrer_offre(org_a, {**OFFRE, "public": "Agents d'accueil"}, admin_a, copie.pk, 1)
    avant = _photo()  # la copie a changé depuis la page lue : conflit, rien n'est écrit
    page = _reprendre_par_la_page(admin_a, "commune-a", partage, vu).content.decode()
    assert "Cela a changé entre-temps" in page
    with pytest.raises(ConflitEdition):
        modeles_partages.reprendre(org_a, partage.pk, admin_a, 2, vu.version_locale, AUJOURD_HUI())
    assert _photo() == avant
    _reprendre_par_la_page(admin_a, "commune-a", partage, _vu(org_a, partage))
    copie.refresh_from_db()
    assert (copie.duree_heures, copie.public) == (3, OFFRE["public"])  # la même copie, mise à jour
    assert _vu(org_a, partage).a_jour

    OffreFormation.objects.filter(pk=copie.pk).delete()  # supprimée par la commune depuis
    formations.enregistrer_offre(agglo, {**OFFRE, "duree_heures": 4}, admin_agglo, offre.pk, offre.version)
    vu = _vu(org_a, partage)
    assert vu.version_locale is None
    _reprendre_par_la_page(admin_a, "commune-a", partage, vu)
    (nouvelle,) = OffreFormation.objects.filter(organisation=org_a)
    assert nouvelle.pk != copie.pk and nouvelle.duree_heures == 4


# --- Modèles d'instances ------------------------------------------------------------------------


def test_modele_d_instance_repris_sans_ses_membres_puis_suivi(agglo, admin_agglo, org_a, admin_a):
    _signee(agglo, org_a, admin_agglo, admin_a)
    comite = _instance(agglo, admin_agglo)
    services_instances.nommer_membre(comite, admin_agglo.pk, admin_agglo)
    partage = modeles_partages.partager(agglo, Nature.INSTANCE, str(comite.pk), "", admin_agglo)
    _reprendre_par_la_page(admin_a, "commune-a", partage, _vu(org_a, partage))
    copie = Instance.objects.get(organisation=org_a)
    assert (copie.nom, copie.quorum_pourcent, copie.regle_vote, copie.avis_publics, copie.periodicite) == (
        "Comité d'éthique intercommunal",
        40,
        "deux_tiers",
        True,
        "Trimestrielle",
    )
    assert list(copie.colleges.values_list("nom", flat=True)) == ["Élus", "Experts"]
    assert not copie.membres.exists()  # jamais les membres de l'agglomération

    comite = services_instances.modifier_instance(
        agglo, comite.pk, {"quorum_pourcent": 50}, comite.version, admin_agglo
    )
    services_instances.ajouter_college(comite, "Société civile", admin_agglo)
    vu = _vu(org_a, partage)
    assert vu.statut == f"Nouvelle version amont : n° {comite.version}, vous avez repris le n° 1"
    _reprendre_par_la_page(admin_a, "commune-a", partage, vu)
    copie.refresh_from_db()
    assert copie.quorum_pourcent == 50 and Instance.objects.filter(organisation=org_a).count() == 1
    assert list(copie.colleges.values_list("nom", flat=True)) == ["Élus", "Experts", "Société civile"]
    assert _vu(org_a, partage).a_jour

    services_instances.archiver_instance(agglo, comite.pk, comite.version, admin_agglo)
    assert modeles_partages.partages_pour(org_a, AUJOURD_HUI()) == []  # plus rien à reprendre
    assert _de(agglo, partage).amont is None


# --- Refus ---------------------------------------------------------------------------------------


def test_partager_refus_sans_rien_ecrire(agglo, admin_agglo, org_a, admin_a):
    offre = formations.enregistrer_offre(agglo, OFFRE, admin_agglo)
    offre_a = formations.enregistrer_offre(org_a, OFFRE, admin_a)
    avant = _photo()
    with pytest.raises(ValidationError, match="Seule une organisation mutualisante"):
        modeles_partages.partager(org_a, Nature.OFFRE, str(offre_a.pk), "", admin_a)
    with pytest.raises(ValidationError, match="Choisissez ce que vous partagez"):
        modeles_partages.partager(agglo, "tout", "", "", admin_agglo)
    with pytest.raises(ValidationError, match="Adaptez d'abord"):
        modeles_partages.partager(agglo, Nature.POLITIQUE, "", "", admin_agglo)
    with pytest.raises(ValidationError, match="Choisissez une offre"):  # celle d'une autre organisation
        modeles_partages.partager(agglo, Nature.OFFRE, str(offre_a.pk), "", admin_agglo)
    with pytest.raises(ValidationError, match="Choisissez une instance"):
        modeles_partages.partager(agglo, Nature.INSTANCE, "abc", "", admin_agglo)
    with pytest.raises(ValidationError, match="2000 caractères"):
        modeles_partages.partager(agglo, Nature.OFFRE, str(offre.pk), "x" * 2001, admin_agglo)
    page = _client(admin_a).post(
        "/o/commune-a/mutualisation/modeles/", {"modele": f"offre_formation:{offre_a.pk}"}, follow=True
    )
    assert "Seule une organisation mutualisante" in page.content.decode()
    assert _photo() == avant
    modeles_partages.partager(agglo, Nature.OFFRE, str(offre.pk), "", admin_agglo)
    avant = _photo()
    with pytest.raises(ValidationError, match="déjà partagé"):
        modeles_partages.partager(agglo, Nature.OFFRE, str(offre.pk), "", admin_agglo)
    assert _photo() == avant


def test_les_droits_sont_ceux_de_chaque_nature(agglo, admin_agglo, org_a, admin_a, lecteur_a):
    _signee(agglo, org_a, admin_agglo, admin_a)
    drh = fabrique.membre(agglo, "rh", "drh@agglo.fr")
    lecteur_agglo = fabrique.membre(agglo, "lecteur", "elu@agglo.fr")
    offre = formations.enregistrer_offre(agglo, OFFRE, admin_agglo)
    comite = _instance(agglo, admin_agglo)
    avant = _photo()
    url = "/o/agglo/mutualisation/modeles/"
    # La DRH gère les formations, pas la gouvernance : elle partage une offre, pas une instance.
    assert _client(drh).post(url, {"modele": f"instance:{comite.pk}"}).status_code == 403
    assert _client(lecteur_agglo).post(url, {"modele": f"offre_formation:{offre.pk}"}).status_code == 403
    assert _photo() == avant
    assert _client(drh).post(url, {"modele": f"offre_formation:{offre.pk}"}).status_code == 302
    partage = ModelePartage.objects.get(nature=Nature.OFFRE)
    avant = _photo()
    retirer = f"/o/agglo/mutualisation/modeles/{partage.pk}/retirer/"
    assert _client(lecteur_agglo).post(retirer, {"version": partage.version}).status_code == 403
    reprendre = f"/o/commune-a/mutualisation/modeles/{partage.pk}/reprendre/"
    assert _client(lecteur_a).post(reprendre, {"revision": 1}).status_code == 403
    assert _photo() == avant
    page = _client(drh).get("/o/agglo/mutualisation/").content.decode()
    assert "Atelier IA générative" in page and f"instance:{comite.pk}" not in page


def test_reprendre_refus_sans_rien_ecrire(agglo, admin_agglo, org_a, admin_a, org_b, admin_b, db):
    org_c = fabrique.organisation("Commune C", slug="commune-c")
    admin_c = fabrique.membre(org_c, "administrateur", "admin-c@exemple.fr")
    org_d = fabrique.organisation("Commune D", slug="commune-d")
    admin_d = fabrique.membre(org_d, "administrateur", "admin-d@exemple.fr")
    _signee(agglo, org_a, admin_agglo, admin_a)
    hier = AUJOURD_HUI() - timedelta(days=1)
    terminee = _signee(agglo, org_c, admin_agglo, admin_c, debut=hier - timedelta(days=30), fin=hier)
    assert not terminee.ouvre_l_acces(AUJOURD_HUI())
    _signee(agglo, org_d, admin_agglo, admin_d, debut=AUJOURD_HUI() + timedelta(days=1))  # pas commencée
    offre = formations.enregistrer_offre(agglo, OFFRE, admin_agglo)
    partage = modeles_partages.partager(agglo, Nature.OFFRE, str(offre.pk), "", admin_agglo)
    avant = _photo()
    for org, admin in ((org_b, admin_b), (org_c, admin_c), (org_d, admin_d)):
        assert modeles_partages.partages_pour(org, AUJOURD_HUI()) == []
        with pytest.raises(ValidationError, match="pas ouvert à votre organisation"):
            modeles_partages.reprendre(org, partage.pk, admin, 1, None, AUJOURD_HUI())
        url = f"/o/{org.slug}/mutualisation/modeles/{partage.pk}/reprendre/"
        assert _client(admin).post(url, {"revision": 1}).status_code == 404
    # La mutualisante ne reprend pas son propre modèle ; le membre ne retire pas le partage.
    with pytest.raises(ValidationError, match="pas ouvert à votre organisation"):
        modeles_partages.reprendre(agglo, partage.pk, admin_agglo, 1, None, AUJOURD_HUI())
    with pytest.raises(ValidationError, match="Seule la mutualisante"):
        modeles_partages.retirer(org_a, partage.pk, partage.version, admin_a)
    retirer = f"/o/commune-a/mutualisation/modeles/{partage.pk}/retirer/"
    page = _client(admin_a).post(retirer, {"version": partage.version}, follow=True).content.decode()
    assert "Seule la mutualisante" in page
    # Numéro lu absent ou périmé.
    with pytest.raises(ValidationError, match="n'a pas été transmis"):
        modeles_partages.reprendre(org_a, partage.pk, admin_a, None, None, AUJOURD_HUI())
    page = _client(admin_a).post(
        f"/o/commune-a/mutualisation/modeles/{partage.pk}/reprendre/", {"revision": 7}, follow=True
    )
    assert "a changé ce modèle depuis que vous avez ouvert la page (n° 1 désormais)" in page.content.decode()
    # Une adresse d'action en GET ne fait rien.
    for url in (
        "/o/agglo/mutualisation/modeles/",
        f"/o/agglo/mutualisation/modeles/{partage.pk}/retirer/",
        f"/o/commune-a/mutualisation/modeles/{partage.pk}/reprendre/",
    ):
        personne = admin_a if "commune-a" in url else admin_agglo
        assert _client(personne).get(url).status_code == 302
    assert _photo() == avant
    modeles_partages.reprendre(org_a, partage.pk, admin_a, 1, None, AUJOURD_HUI())
    avant = _photo()
    with pytest.raises(ValidationError, match="déjà repris le n° 1"):
        modeles_partages.reprendre(org_a, partage.pk, admin_a, 1, None, AUJOURD_HUI())
    assert _photo() == avant


def test_retirer_cache_le_partage_et_laisse_ce_qui_est_repris(agglo, admin_agglo, org_a, admin_a):
    _signee(agglo, org_a, admin_agglo, admin_a)
    offre = formations.enregistrer_offre(agglo, OFFRE, admin_agglo)
    partage = modeles_partages.partager(agglo, Nature.OFFRE, str(offre.pk), "", admin_agglo)
    modeles_partages.reprendre(org_a, partage.pk, admin_a, 1, None, AUJOURD_HUI())
    avant = _photo()
    page = _client(admin_agglo).post(
        f"/o/agglo/mutualisation/modeles/{partage.pk}/retirer/", {"version": partage.version - 1}, follow=True
    )
    assert "Cela a changé entre-temps" in page.content.decode()
    assert _photo() == avant
    _client(admin_agglo).post(f"/o/agglo/mutualisation/modeles/{partage.pk}/retirer/", {"version": 1})
    partage.refresh_from_db()
    assert partage.retire_le is not None and partage.history.first().history_user == admin_agglo
    assert modeles_partages.partages_pour(org_a, AUJOURD_HUI()) == []
    assert OffreFormation.objects.filter(organisation=org_a).exists()
    for org in (agglo, org_a):
        assert _journal(org, "modele_retire") == 1
    # Partagé de nouveau : la commune reste à jour (sa reprise porte sur le même modèle).
    nouveau = modeles_partages.partager(agglo, Nature.OFFRE, str(offre.pk), "", admin_agglo)
    assert _vu(org_a, nouveau).statut == "Repris, à jour"


def test_les_pages_montrent_les_partages_des_deux_cotes(agglo, admin_agglo, org_a, admin_a, org_b, admin_b):
    _signee(agglo, org_a, admin_agglo, admin_a)
    _signee(agglo, org_b, admin_agglo, admin_b)
    comite = _instance(agglo, admin_agglo)
    _adapter_politique(agglo, admin_agglo, "Radar intercommunal")
    page = _client(admin_agglo).get("/o/agglo/mutualisation/").content.decode()
    assert f'value="instance:{comite.pk}"' in page and 'value="politique_portes:"' in page
    client = _client(admin_agglo)
    client.post("/o/agglo/mutualisation/modeles/", {"modele": f"instance:{comite.pk}", "note": "Pour vous."})
    client.post("/o/agglo/mutualisation/modeles/", {"modele": "politique_portes:"})
    assert ModelePartage.objects.filter(mutualisante=agglo, retire_le__isnull=True).count() == 2
    partage = ModelePartage.objects.get(nature=Nature.INSTANCE)
    for org in (agglo, org_a, org_b):
        assert _journal(org, "modele_partage") == 2
    modeles_partages.reprendre(org_a, partage.pk, admin_a, comite.version, None, AUJOURD_HUI())
    modeles_partages.reprendre(org_b, partage.pk, admin_b, comite.version, None, AUJOURD_HUI())
    page = _client(admin_agglo).get("/o/agglo/mutualisation/").content.decode()
    assert "2 membres, dont 2 à jour" in page and "Retirer le partage" in page
    page = _client(admin_a).get("/o/commune-a/mutualisation/").content.decode()
    assert "Repris, à jour" in page and "Pas encore repris" in page and "Adopter" in page
    assert "Pour vous." in page
