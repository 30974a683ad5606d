"""Règles d'usage de l'IA (issue 14, point 2) : jeu de départ sourcé, composition, publication, reprise
de la charte, version imprimable d'une page, information des agents et prises de connaissance."""

import io
from datetime import timedelta

import pytest
import yaml
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pypdf import PdfReader

from balise import versions
from balise.regles_usage import depart, imprimable, selectors, services
from balise.regles_usage.models import InformationService, PriseDeConnaissance, VersionRegles
from tests import fabrique, instantane
from tests.test_definitions_instruments import SEEDS_COMPLETS, reprises_de_la_source

FICHIER_DEPART = depart.DOSSIER / "regles-depart-v1.yaml"


# --- Le jeu de départ ------------------------------------------------------------------------------


def test_le_jeu_de_depart_se_valide_et_couvre_les_themes_demandes():
    jeu = depart.en_vigueur()
    assert jeu.version == 1 and 15 <= len(jeu.regles) <= 20
    themes = " ".join(r.theme for r in jeu.regles).casefold()
    for attendu in (
        "données personnelles",
        "vérifier les sorties",
        "transparence",
        "outils autorisés",
        "décisions individuelles",
        "signaler un incident",
    ):
        assert attendu in themes, attendu
    assert {r.sens for r in jeu.regles} == {"faire", "ne_pas_faire"}


def test_chaque_source_designe_une_ligne_existante_de_la_graine():
    jeu = depart.en_vigueur()
    if not SEEDS_COMPLETS.is_dir():
        pytest.skip("dossier des graines absent")
    for regle in jeu.regles:
        for source in regle.sources:
            m = depart.SOURCE.match(source)
            lignes = (SEEDS_COMPLETS / m["fichier"]).read_text(encoding="utf-8").splitlines()
            fin = int(m["fin"] or m["debut"])
            assert fin <= len(lignes) and "".join(lignes[int(m["debut"]) - 1 : fin]).strip(), source


def test_aucune_phrase_de_la_check_list_weka_n_est_reprise():
    donnees = yaml.safe_load(FICHIER_DEPART.read_text(encoding="utf-8"))
    # Les textes livrés (sauf `sources`, qui nomme l'œuvre) ne reprennent aucune suite de 6 mots.
    assert reprises_de_la_source(donnees) == []
    # Garde-fou : une phrase de l'éditeur serait reconnue.
    donnees["regles"][0]["texte"] = "Il faut déléguer à l'IA la prise de décision finale."
    assert reprises_de_la_source(donnees) != []


@pytest.mark.parametrize(
    ("changement", "message"),
    [
        (lambda d: d["regles"][0].update(sens="peut-etre"), "regles.0.sens"),
        (lambda d: d["regles"][0].update(sources=["003_968ea394f4c50c5d.txt"]), "fichier:ligne"),
        (lambda d: d["regles"][1].update(id=d["regles"][0]["id"]), "figure deux fois"),
        (lambda d: d["regles"][0].update(sources=["005_968ea394f4c50c5d.txt:3"]), "absent de `sources`"),
        (lambda d: d["regles"][0].update(texte="x" * 401), "texte trop long"),
        (lambda d: d["regles"][0].update(inconnu=1), "champ inconnu"),
    ],
)
def test_le_schema_refuse_un_jeu_mal_forme(changement, message):
    donnees = yaml.safe_load(FICHIER_DEPART.read_text(encoding="utf-8"))
    changement(donnees)
    with pytest.raises(depart.DepartInvalide) as exc:
        depart.valider(yaml.safe_dump(donnees, allow_unicode=True))
    assert message in str(exc.value)


# --- Composer, publier ----------------------------------------------------------------------------


def test_composer_publier_puis_remplacer(org_a, admin_a):
    v1 = services.creer_brouillon(org_a, admin_a)
    assert v1.numero == 1 and v1.statut == "brouillon"
    assert len(v1.regles) == len(depart.en_vigueur().regles)
    assert {r["origine"] for r in v1.regles} == {"depart"}
    with pytest.raises(ValidationError, match="existe déjà"):
        services.creer_brouillon(org_a, admin_a)
    regles = [*v1.regles[1:], {"sens": "faire", "texte": "Notez vos requêtes utiles dans le carnet partagé."}]
    v1 = services.modifier_brouillon(org_a, v1.pk, {"regles": regles, "titre": "Nos règles"}, admin_a, 1)
    assert v1.version == 2 and v1.regles[-1]["origine"] == "propre" and v1.titre == "Nos règles"
    services.publier(org_a, v1.pk, admin_a, 2)
    assert selectors.publiee(org_a).pk == v1.pk
    with pytest.raises(ValidationError, match="Seul un brouillon"):
        services.modifier_brouillon(org_a, v1.pk, {"titre": "Changé"}, admin_a, 3)
    # La version suivante part des règles publiées ; la publier remplace la précédente.
    v2 = services.creer_brouillon(org_a, admin_a)
    assert v2.numero == 2 and v2.regles == v1.regles
    assert services.ajouter_depart(org_a, v2.pk, admin_a, 1) == 1  # la règle retirée revient
    services.publier(org_a, v2.pk, admin_a, 2)
    v1.refresh_from_db()
    assert v1.statut == "remplacee" and v1.remplacee_le is not None
    assert [e.auteur for e in versions.historique(v1)] == [admin_a.nom_affiche] * 4


def test_une_regle_du_depart_modifiee_devient_propre(org_a, admin_a):
    v = services.creer_brouillon(org_a, admin_a)
    regles = [dict(r) for r in v.regles]
    regles[0]["texte"] += " Sauf avis contraire du DGS."
    v = services.modifier_brouillon(org_a, v.pk, {"regles": regles}, admin_a, 1)
    assert v.regles[0]["origine"] == "propre" and "sources" not in v.regles[0]
    assert v.regles[1]["origine"] == "depart" and v.regles[1]["sources"]


def test_verrou_optimiste(org_a, admin_a, referent_a):
    v = services.creer_brouillon(org_a, admin_a)
    services.modifier_brouillon(org_a, v.pk, {"titre": "Titre de l'administrateur"}, admin_a, 1)
    with pytest.raises(versions.ConflitEdition) as exc:
        services.modifier_brouillon(org_a, v.pk, {"titre": "Titre du référent"}, referent_a, 1)
    assert [c.champ for c in exc.value.changements] == ["titre"]
    with pytest.raises(versions.VersionAbsente):
        services.publier(org_a, v.pk, referent_a, None)
    v.refresh_from_db()
    assert v.titre == "Titre de l'administrateur" and v.statut == "brouillon"


@pytest.mark.parametrize(
    ("donnees", "message"),
    [
        ({"regles": [{"sens": "faire", "texte": "x" * 401}]}, "trop long"),
        ({"regles": [{"sens": "faire", "texte": "   "}]}, "obligatoire"),
        ({"regles": [{"sens": "toujours", "texte": "a"}]}, "sens"),
        ({"regles": [{"sens": "faire", "texte": "a\x00b"}]}, "caractère nul"),
        ({"regles": [{"sens": "faire", "texte": "a", "origine": "piratee"}]}, "origine"),
        ({"regles": [{"sens": "faire", "texte": "a"}] * 41}, "40 au plus"),
        ({"regles": "tout"}, "liste"),
        ({"titre": ""}, "obligatoire"),
        ({"titre": "t" * 201}, "trop long"),
    ],
)
def test_saisies_hostiles_refusees_sans_rien_changer(org_a, admin_a, donnees, message):
    v = services.creer_brouillon(org_a, admin_a)
    avant = instantane.photo()
    with pytest.raises(ValidationError, match=message):
        services.modifier_brouillon(org_a, v.pk, donnees, admin_a, 1)
    assert instantane.photo() == avant


def test_publier_un_brouillon_vide_est_refuse(org_a, admin_a):
    v = services.creer_brouillon(org_a, admin_a)
    services.modifier_brouillon(org_a, v.pk, {"regles": []}, admin_a, 1)
    with pytest.raises(ValidationError, match="aucune règle"):
        services.publier(org_a, v.pk, admin_a, 2)


def test_une_organisation_ne_touche_pas_les_regles_d_une_autre(org_a, org_b, admin_a, admin_b):
    v = services.creer_brouillon(org_a, admin_a)
    with pytest.raises(ValidationError, match="introuvable"):
        services.modifier_brouillon(org_b, v.pk, {"titre": "Pirate"}, admin_b, 1)
    with pytest.raises(ValidationError, match="introuvable"):
        services.reprendre_de_la_charte(org_b, v, ["Ne rien faire"], admin_b)


# --- Reprise depuis la charte ----------------------------------------------------------------------


def test_reprendre_les_lignes_rouges_de_la_charte(org_a, admin_a):
    v = services.creer_brouillon(org_a, admin_a)
    lignes = [
        "Aucune notation automatique des agents.",
        "  aucune   notation automatique des agents ",  # doublon (espaces, casse, point)
        "",
        "Pas de reconnaissance faciale dans l'espace public.",
    ]
    assert services.reprendre_de_la_charte(org_a, v, lignes, admin_a) == 2
    v.refresh_from_db()
    ajoutees = [r for r in v.regles if r["origine"] == "charte"]
    assert [(r["sens"], r["texte"]) for r in ajoutees] == [
        ("ne_pas_faire", "Aucune notation automatique des agents."),
        ("ne_pas_faire", "Pas de reconnaissance faciale dans l'espace public."),
    ]
    # Reprendre une seconde fois n'ajoute rien ; une version publiée ne se complète pas.
    assert services.reprendre_de_la_charte(org_a, v, lignes, admin_a) == 0
    services.publier(org_a, v.pk, admin_a, v.version)
    v.refresh_from_db()
    with pytest.raises(ValidationError, match="Seul un brouillon"):
        services.reprendre_de_la_charte(org_a, v, ["Nouvelle ligne"], admin_a)


def test_une_ligne_rouge_trop_longue_est_refusee(org_a, admin_a):
    v = services.creer_brouillon(org_a, admin_a)
    avant = instantane.photo()
    with pytest.raises(ValidationError, match="trop long"):
        services.reprendre_de_la_charte(org_a, v, ["x" * 401], admin_a)
    assert instantane.photo() == avant


# --- Version imprimable : une page -----------------------------------------------------------------


def _pages(contenu: bytes) -> int:
    return len(PdfReader(io.BytesIO(contenu)).pages)


def _texte_pdf(contenu: bytes) -> str:
    return " ".join(p.extract_text() for p in PdfReader(io.BytesIO(contenu)).pages)


def test_le_jeu_de_depart_tient_sur_une_page(org_a, admin_a):
    v = services.creer_brouillon(org_a, admin_a)
    contenu, taille = imprimable.pdf(v)
    assert _pages(contenu) == 1
    assert taille >= 8  # lisible : le jeu de départ n'a pas besoin d'être réduit beaucoup
    texte = " ".join(_texte_pdf(contenu).split())
    assert "À faire" in texte and "À ne pas faire" in texte and org_a.nom in texte


def test_quarante_regles_longues_tiennent_sur_une_page_en_plus_petit(org_a, admin_a):
    v = services.creer_brouillon(org_a, admin_a)
    regles = [
        {
            "sens": "faire" if n % 2 else "ne_pas_faire",
            "texte": (f"Règle longue numéro {n:02d} : " + "une précaution à respecter avec soin, " * 12)[
                : depart.LONGUEUR_REGLE - 1
            ]
            + ".",
        }
        for n in range(depart.NOMBRE_MAX_REGLES)
    ]
    v = services.modifier_brouillon(
        org_a, v.pk, {"regles": regles, "introduction": "i" * services.LONGUEUR_INTRODUCTION}, admin_a, 1
    )
    assert all(len(r["texte"]) == depart.LONGUEUR_REGLE for r in v.regles)
    contenu, taille = imprimable.pdf(v)
    assert _pages(contenu) == 1
    assert taille < 8  # réduite, mais tenue
    assert "numéro 39" in _texte_pdf(contenu)
    # Sans réduction, le même texte ne tiendrait pas sur une page : la réduction est bien ce qui le permet.
    from weasyprint import HTML

    assert len(HTML(string=imprimable.html(v, imprimable.TAILLES[-1])).render().pages) > 1


def test_nom_du_fichier_lisible(org_a, admin_a):
    org_a.nom = 'Commune de Saint-Él/oi "les Bains"'
    org_a.save()
    v = services.creer_brouillon(org_a, admin_a)
    services.publier(org_a, v.pk, admin_a, 1)
    v.refresh_from_db()
    nom = imprimable.nom_fichier(v)
    assert nom == (
        f"Règles d'usage de l'IA - Commune de Saint-Él oi les Bains - "
        f"{timezone.localdate():%Y-%m-%d} (version 1).pdf"
    )


def test_telecharger_le_pdf(client, org_a, admin_a, lecteur_a):
    v = services.creer_brouillon(org_a, admin_a)
    client.force_login(lecteur_a)
    reponse = client.get(f"/o/{org_a.slug}/regles-usage/{v.pk}/regles.pdf")
    assert reponse.status_code == 200 and reponse["Content-Type"] == "application/pdf"
    assert "filename*=utf-8''R%C3%A8gles" in reponse["Content-Disposition"]
    assert "brouillon" in reponse["Content-Disposition"]
    assert _pages(reponse.content) == 1


# --- Information des agents ----------------------------------------------------------------------


def _publier(org, admin):
    v = services.creer_brouillon(org, admin)
    return services.publier(org, v.pk, admin, 1)


def _info(**champs):
    return {
        "service": "Direction des finances",
        "effectif_informe": 12,
        "effectif_service": 20,
        "date": timezone.localdate(),
        "moyen": "reunion",
    } | champs


def test_information_par_service_et_taux(org_a, admin_a):
    with pytest.raises(ValidationError, match="Aucune règle n'est publiée"):
        services.enregistrer_information(org_a, _info(), admin_a)
    _publier(org_a, admin_a)
    services.enregistrer_information(org_a, _info(), admin_a)
    services.enregistrer_information(
        org_a,
        _info(
            service="direction  des FINANCES", effectif_informe=10, effectif_service=None, moyen="courriel"
        ),
        admin_a,
    )
    services.enregistrer_information(
        org_a, _info(service="Accueil", effectif_informe=3, effectif_service=None), admin_a
    )
    s = selectors.suivi(org_a)
    lignes = {ligne.service: ligne for ligne in s.services}
    finances = lignes["Direction des finances"]
    assert (finances.informes, finances.effectif, finances.taux) == (22, 20, 100)
    assert finances.moyens == ["Courriel", "Réunion"]
    assert lignes["Accueil"].taux is None  # effectif inconnu : pas de taux inventé


def test_effectif_tire_du_tableau_des_effectifs(org_a, admin_a):
    from tests import travailleur

    contenu = "Nom;Métier;Direction\n" + "X;Jardinier;Espaces verts\n" * 8 + "Y;Comptable;Finances\n" * 4
    travailleur.importer(
        org_a, admin_a, "e.csv", contenu.encode(), {"metier": "Métier", "direction": "Direction"}
    )
    _publier(org_a, admin_a)
    services.enregistrer_information(
        org_a, _info(service="espaces verts", effectif_informe=6, effectif_service=None), admin_a
    )
    lignes = {s.service.casefold(): s for s in selectors.suivi(org_a).services}
    assert (lignes["espaces verts"].effectif, lignes["espaces verts"].taux) == (8, 75)
    assert lignes["espaces verts"].source_effectif == "tableau des effectifs"
    # Un service du tableau sans information : à 0 %.
    assert (lignes["finances"].informes, lignes["finances"].taux) == (0, 0)


@pytest.mark.parametrize(
    ("champs", "message"),
    [
        ({"service": '=HYPERLINK("http://x")'}, "formule"),
        ({"service": "@SUM(A1)"}, "formule"),
        ({"service": "s" * 201}, "trop long"),
        ({"service": ""}, "obligatoire"),
        ({"effectif_informe": -1}, "entre 0"),
        ({"effectif_informe": "douze"}, "entier"),
        ({"effectif_informe": 30}, "plus que l'effectif"),
        ({"date": "2025-02-30"}, "date réelle"),
        ({"date": timezone.localdate() + timedelta(days=1)}, "futur"),
        ({"date": "1999-01-01"}, "antérieure"),
        ({"moyen": "pigeon"}, "Moyen"),
    ],
)
def test_information_hostile_refusee(org_a, admin_a, champs, message):
    _publier(org_a, admin_a)
    avant = instantane.photo()
    with pytest.raises(ValidationError, match=message):
        services.enregistrer_information(org_a, _info(**champs), admin_a)
    assert instantane.photo() == avant


def test_prise_de_connaissance_une_fois_par_version(org_a, admin_a, lecteur_a):
    assert selectors.a_pris_connaissance(lecteur_a, org_a) is False
    v1 = _publier(org_a, admin_a)
    assert selectors.a_prendre_connaissance(lecteur_a, org_a) == v1
    _, nouvelle = services.prendre_connaissance(org_a, lecteur_a, v1.pk)
    _, encore = services.prendre_connaissance(org_a, lecteur_a, v1.pk)
    assert (nouvelle, encore) == (True, False)
    assert PriseDeConnaissance.objects.count() == 1
    assert selectors.a_pris_connaissance(lecteur_a, org_a) is True
    assert selectors.a_prendre_connaissance(lecteur_a, org_a) is None
    # Une nouvelle version publiée : la prise de connaissance est à refaire.
    v2 = services.creer_brouillon(org_a, admin_a)
    services.publier(org_a, v2.pk, admin_a, 1)
    assert selectors.a_pris_connaissance(lecteur_a, org_a) is False
    with pytest.raises(ValidationError, match="remplacées"):
        services.prendre_connaissance(org_a, lecteur_a, v1.pk)
    s = selectors.suivi(org_a)
    assert (s.connaissances, s.membres) == (0, 2)


def test_le_lecteur_prend_connaissance_par_la_page(client, org_a, admin_a, lecteur_a):
    v = _publier(org_a, admin_a)
    client.force_login(lecteur_a)
    page = client.get(f"/o/{org_a.slug}/regles-usage/").content.decode()
    assert "J&#x27;ai pris connaissance" in page or "J'ai pris connaissance" in page
    reponse = client.post(f"/o/{org_a.slug}/regles-usage/prise-de-connaissance/", {"version_regles": v.pk})
    assert reponse.status_code == 302
    assert PriseDeConnaissance.objects.filter(personne=lecteur_a, version_regles=v).exists()
    assert "Vous avez pris connaissance" in client.get(f"/o/{org_a.slug}/regles-usage/").content.decode()


def test_composer_par_la_page(client, org_a, referent_a):
    client.force_login(referent_a)
    reponse = client.post(f"/o/{org_a.slug}/regles-usage/nouvelle/")
    v = VersionRegles.objects.get()
    assert reponse["Location"] == f"/o/{org_a.slug}/regles-usage/{v.pk}/"
    donnees = {"version": "1", "titre": "Règles de la commune", "introduction": ""}
    for i, r in enumerate(v.regles):
        donnees |= {
            f"r{i}-sens": r["sens"],
            f"r{i}-texte": r["texte"],
            f"r{i}-origine": r["origine"],
            f"r{i}-id": r["id"],
        }
    donnees |= {
        "r0-retirer": "1",
        "nouvelle-sens": "ne_pas_faire",
        "nouvelle-texte": "Ne pas <script>alert(1)</script>",
    }
    assert client.post(f"/o/{org_a.slug}/regles-usage/{v.pk}/", donnees).status_code == 302
    v.refresh_from_db()
    assert len(v.regles) == len(depart.en_vigueur().regles)
    assert v.regles[-1] == {
        "sens": "ne_pas_faire",
        "texte": "Ne pas <script>alert(1)</script>",
        "origine": "propre",
    }
    page = client.get(f"/o/{org_a.slug}/regles-usage/{v.pk}/").content.decode()
    assert "<script>alert(1)" not in page
    # Une seconde saisie sur la version 1 (périmée) : conflit montré, rien d'écrit.
    avant = instantane.photo()
    reponse = client.post(f"/o/{org_a.slug}/regles-usage/{v.pk}/", donnees)
    assert reponse.status_code == 200 and "Modification concurrente" in reponse.content.decode()
    assert instantane.photo() == avant
    assert (
        client.post(f"/o/{org_a.slug}/regles-usage/{v.pk}/publication/", {"version": "2"}).status_code == 302
    )
    v.refresh_from_db()
    assert v.statut == "publiee"


def test_information_par_la_page_hostile(client, org_a, admin_a):
    _publier(org_a, admin_a)
    client.force_login(admin_a)
    avant = instantane.photo()
    reponse = client.post(
        f"/o/{org_a.slug}/regles-usage/information/",
        {
            "service": "=cmd|' /C calc'!A0",
            "effectif_informe": "3",
            "date": timezone.localdate().isoformat(),
            "moyen": "reunion",
        },
    )
    assert reponse.status_code == 200 and "formule de tableur refusée" in reponse.content.decode()
    assert instantane.photo() == avant
    reponse = client.post(
        f"/o/{org_a.slug}/regles-usage/information/",
        {
            "service": "Accueil",
            "effectif_informe": "3",
            "date": timezone.localdate().isoformat(),
            "moyen": "affichage",
        },
    )
    assert reponse.status_code == 302 and InformationService.objects.get().service == "Accueil"


# --- Nombre de requêtes constant -------------------------------------------------------------------


def _requetes(fonction) -> int:
    with CaptureQueriesContext(connection) as capture:
        fonction()
    return len(capture)


def test_nombre_de_requetes_constant(client, org_a, admin_a):
    _publier(org_a, admin_a)
    client.force_login(admin_a)
    pages = [f"/o/{org_a.slug}/regles-usage/", f"/o/{org_a.slug}/regles-usage/information/"]

    def mesurer():
        return [_requetes(lambda p=p: client.get(p)) for p in pages] + [
            _requetes(lambda: selectors.suivi(org_a))
        ]

    client.get(pages[0])
    un = mesurer()
    for n in range(8):
        membre = fabrique.membre(org_a, "lecteur", f"agent-{n}@exemple.fr")
        services.prendre_connaissance(org_a, membre)
        services.enregistrer_information(org_a, _info(service=f"Service {n}", effectif_informe=n), admin_a)
        v = services.creer_brouillon(org_a, admin_a)
        services.publier(org_a, v.pk, admin_a, 1) if n % 2 else services.modifier_brouillon(
            org_a, v.pk, {}, admin_a, 1
        )
        if n % 2 == 0:
            services.publier(org_a, v.pk, admin_a, 2)
    assert mesurer() == un


def test_les_gabarits_ne_reprennent_pas_la_check_list_weka():
    from pathlib import Path

    dossier = Path(__file__).resolve().parents[1] / "balise" / "templates" / "regles_usage"
    textes = {p.name: p.read_text(encoding="utf-8") for p in dossier.glob("*.html")}
    assert len(textes) >= 4 and reprises_de_la_source(textes) == []


def _charte_adoptee(org, admin, lignes_rouges):
    """Une charte composée, soumise au comité social territorial, avis rendu, adoptée par délibération."""
    from balise.chartes import services as chartes
    from balise.gouvernance import services_avis
    from tests import gouvernance_fabrique as gf

    seance = gf.seance(gf.instance(org, "Comité social territorial"), gf.dans(7), admin)
    donnees = {"titre": "Charte", "principes": ["sndgct/transparence"], "lignes_rouges": lignes_rouges}
    charte = chartes.composer(org, donnees, admin)
    point = chartes.soumettre(charte.pk, seance.pk, 1, admin)
    services_avis.rendre_avis(point, {"sens": "favorable", "motifs": "Claire."}, [], admin)
    chartes.adopter(charte.pk, "deliberation", timezone.localdate(), 2, admin, deliberation_numero="D-7")
    return charte


def test_reprendre_les_lignes_rouges_de_la_charte_par_la_page(client, org_a, referent_a, admin_a):
    """Le bouton n'apparaît qu'avec une charte adoptée ; il ajoute ses lignes rouges au brouillon, une
    fois ; une version périmée ne change rien."""
    client.force_login(referent_a)
    client.post(f"/o/{org_a.slug}/regles-usage/nouvelle/")
    v = VersionRegles.objects.get()
    adresse = f"/o/{org_a.slug}/regles-usage/{v.pk}/"
    assert "lignes rouges de la charte" not in client.get(adresse).content.decode()
    avant = instantane.photo()
    reponse = client.post(adresse + "reprise-charte/", {"version": "1"}, follow=True)
    assert "pas de charte adoptée" in reponse.content.decode()
    assert instantane.photo() == avant

    _charte_adoptee(org_a, admin_a, ["Aucune décision individuelle sans agent.", "Pas de notation sociale."])
    assert "Reprendre les lignes rouges de la charte adoptée (2)" in client.get(adresse).content.decode()
    avant = instantane.photo()
    client.post(adresse + "reprise-charte/", {"version": "0"})  # version périmée : rien d'écrit
    assert instantane.photo() == avant
    client.post(adresse + "reprise-charte/", {"version": "1"})
    v.refresh_from_db()
    assert [r["texte"] for r in v.regles if r["origine"] == "charte"] == [
        "Aucune décision individuelle sans agent.",
        "Pas de notation sociale.",
    ]
    reponse = client.post(adresse + "reprise-charte/", {"version": str(v.version)}, follow=True)
    assert "reprend déjà toutes les lignes rouges" in reponse.content.decode()
