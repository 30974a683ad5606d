"""La charte de l'IA : jeux de principes livrés (schéma, sources), états d'une version (composer,
modifier sous verrou, soumettre à une séance, adopter, remplacer), refus en français qui ne changent
rien, avis visibles sur la version, page et PDF publics, données ouvertes, API, nombre de requêtes."""

import io
import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from balise import versions
from balise.chartes import jeux, pdf, selectors, services
from balise.chartes.models import VersionCharte
from balise.gouvernance import services_avis
from balise.gouvernance.models import Point
from balise.organisations.models import EvenementJournal
from balise.registre import opendata
from tests import fabrique
from tests import gouvernance_fabrique as gf

SEEDS = Path("/work/shared/seeds")
CHOIX = ["sndgct/transparence", "sndgct/sobriete", "cnfpt-ia-de-confiance/controle-humain"]


@pytest.fixture
def monde(db):
    org = fabrique.organisation("Commune A")
    referent = fabrique.membre(org, "referent", "referent@a.fr")
    lecteur = fabrique.membre(org, "lecteur", "lecteur@a.fr")
    inst = gf.instance(org, "Comité social territorial")
    seance = gf.seance(inst, gf.dans(10), referent)
    return org, referent, lecteur, inst, seance


def _composer(org, par, **autres):
    donnees = {
        "titre": "Charte de l'IA",
        "principes": CHOIX,
        "perimetre": "Tous les services.",
        "engagements": ["Publier le registre."],
        "lignes_rouges": ["Aucune décision individuelle sans relecture humaine."],
        **autres,
    }
    return services.composer(org, donnees, par)


def _adoptee(org, par, seance, **kw):
    v = _composer(org, par)
    services.soumettre(v.pk, seance.pk, v.version, par)
    v.refresh_from_db()
    options = {"deliberation_numero": "DEL-2026-12", **kw}
    return services.adopter(v.pk, "deliberation", timezone.localdate(), v.version, par, **options)


# --- Jeux de principes livrés -------------------------------------------------------------------


def test_les_quatre_jeux_livres_sont_valides_et_complets():
    par_id = {j.identifiant: j for j in jeux.tous()}
    assert set(par_id) == {"sndgct", "golfe-saint-tropez", "cnfpt-ia-de-confiance", "sept-principes-ethiques"}
    assert [p.titre for p in par_id["sndgct"].principes] == [
        "Transparence",
        "Équité",
        "Responsabilité",
        "Sobriété",
        "Souveraineté",
    ]
    assert len(par_id["cnfpt-ia-de-confiance"].principes) == 10
    assert len(par_id["sept-principes-ethiques"].principes) == 7
    assert len(par_id["golfe-saint-tropez"].principes) == 6


@pytest.mark.skipif(not SEEDS.exists(), reason="graines absentes")
def test_chaque_titre_est_a_la_ligne_citee_et_aucune_explication_n_est_recopiee():
    for j in jeux.tous():
        texte = (SEEDS / j.source.graine).read_text(encoding="utf-8").splitlines()
        for p in j.principes:
            debut, _, fin = p.source.split(":")[1].partition("-")
            lignes = " ".join(texte[int(debut) - 1 : int(fin or debut)]).casefold()
            assert p.titre.casefold() in lignes, (j.identifiant, p.titre)
            # Les explications sont de Balise : aucune suite de 8 mots n'est reprise de la source.
            mots = p.explication.casefold().split()
            source = " ".join(" ".join(texte).casefold().split())
            for i in range(len(mots) - 7):
                assert " ".join(mots[i : i + 8]) not in source, (j.identifiant, p.id)


@pytest.mark.parametrize(
    "defaut, attendu",
    [
        ("principes: []", "principes : trop court"),
        ("version: 0", "version : valeur trop petite"),
        ("source: '001_6d261824628c0297.txt:356'\n    inconnu: 1", "champ inconnu"),
    ],
)
def test_un_jeu_mal_forme_est_refuse_en_francais(defaut, attendu):
    texte = (jeux.DOSSIER / "sndgct-v1.yaml").read_text(encoding="utf-8")
    if defaut.startswith("principes"):
        texte = texte.split("principes:")[0] + defaut + "\n"
    elif defaut.startswith("version"):
        texte = texte.replace("version: 1", defaut)
    else:
        texte = texte.replace('source: "001_6d261824628c0297.txt:356"', defaut, 1)
    with pytest.raises(jeux.JeuInvalide) as exc:
        jeux.lire(texte)
    assert attendu in str(exc.value)


def test_un_principe_en_double_ou_d_une_autre_graine_est_refuse():
    texte = (jeux.DOSSIER / "sndgct-v1.yaml").read_text(encoding="utf-8")
    with pytest.raises(jeux.JeuInvalide, match="en double"):
        jeux.lire(texte.replace("id: equite", "id: transparence"))
    with pytest.raises(jeux.JeuInvalide, match="autre graine"):
        jeux.lire(
            texte.replace('source: "001_6d261824628c0297.txt:356"', 'source: "002_97176ee3a60ad1d8.txt:1"', 1)
        )


# --- États d'une version -------------------------------------------------------------------------


def test_composer_copie_les_principes_choisis_avec_leur_source(monde):
    org, referent, *_ = monde
    v = _composer(org, referent)
    assert v.statut == "brouillon" and v.numero == 1
    assert [p["titre"] for p in v.principes] == ["Transparence", "Sobriété", "Contrôle humain"]
    assert v.principes[0]["source"] == "001_6d261824628c0297.txt:356"
    assert v.jeux == ["sndgct-v1", "cnfpt-ia-de-confiance-v1"]
    assert _composer(org, referent).numero == 2


@pytest.mark.parametrize(
    "champ, valeur, message",
    [
        ("principes", [], "au moins un principe"),
        ("principes", ["sndgct/inconnu"], "Principe inconnu"),
        ("titre", '=HYPERLINK("http://x")', "ne commence pas par"),
        ("titre", "", "obligatoire"),
        ("perimetre", "x" * 5000, "4000 caractères"),
        ("engagements", ["@SUM(A1)"], "ne commence pas par"),
        ("lignes_rouges", "pas une liste", "une liste"),
        ("engagements", ["a"] * 41, "40 éléments"),
        ("titre", "nul\x00", "caractère nul"),
    ],
)
def test_saisies_hostiles_refusees_sans_rien_creer(monde, champ, valeur, message):
    org, referent, *_ = monde
    with pytest.raises(ValidationError) as exc:
        _composer(org, referent, **{champ: valeur})
    assert message in " ".join(exc.value.messages)
    assert not VersionCharte.objects.exists()


def test_modifier_un_brouillon_sous_verrou_optimiste(monde):
    org, referent, *_ = monde
    v = _composer(org, referent)
    autre = fabrique.membre(org, "administrateur", "admin@a.fr")
    services.modifier(v.pk, {"titre": "Charte révisée"}, v.version, autre)
    with pytest.raises(versions.ConflitEdition) as exc:
        services.modifier(v.pk, {"titre": "Ma version"}, v.version, referent)
    assert "modifiée par" in exc.value.message
    with pytest.raises(versions.VersionAbsente):
        services.modifier(v.pk, {"titre": "Sans version"}, None, referent)
    v.refresh_from_db()
    assert v.titre == "Charte révisée" and v.version == 2
    assert v.history.count() == 2


def test_modifier_les_principes_garde_les_sources_et_refuse_les_doublons(monde):
    org, referent, *_ = monde
    v = _composer(org, referent)
    nouveaux = [
        {**v.principes[0], "explication": "Dite autrement."},
        {"titre": "Frugalité", "explication": ""},
    ]
    v = services.modifier(v.pk, {"principes": nouveaux}, v.version, referent)
    assert v.principes[1] == {"titre": "Frugalité", "explication": "", "source": ""}
    with pytest.raises(ValidationError, match="même titre"):
        services.modifier(v.pk, {"principes": [nouveaux[1], nouveaux[1]]}, v.version, referent)
    with pytest.raises(ValidationError, match="non modifiables"):
        services.modifier(v.pk, {"statut": "adoptee"}, v.version, referent)


def test_soumettre_inscrit_un_point_charte_et_fige_la_version(monde):
    org, referent, _, inst, seance = monde
    v = _composer(org, referent)
    point = services.soumettre(v.pk, seance.pk, v.version, referent)
    assert point.nature == Point.Nature.CHARTE and point.version_charte_id == v.pk
    assert point.titre == "Charte de l'IA : Charte de l'IA (version 1)"
    v.refresh_from_db()
    assert v.statut == "soumise" and v.soumise_le is not None
    with pytest.raises(services.RefusCharte, match="ne se modifie plus"):
        services.modifier(v.pk, {"titre": "Trop tard"}, v.version, referent)
    with pytest.raises(services.RefusCharte, match="déjà à l'ordre du jour"):
        services.soumettre(v.pk, seance.pk, v.version, referent)
    # Une seconde instance (comité d'éthique) peut aussi être consultée.
    ethique = gf.seance(gf.instance(org, "Comité d'éthique"), gf.dans(12), referent)
    services.soumettre(v.pk, ethique.pk, v.version, referent)
    assert Point.objects.filter(version_charte=v).count() == 2


def test_retirer_le_dernier_point_rend_la_version_au_brouillon(monde):
    from balise.gouvernance import services_seances

    org, referent, _, inst, seance = monde
    v = _composer(org, referent)
    premier = services.soumettre(v.pk, seance.pk, v.version, referent)
    ethique = gf.seance(gf.instance(org, "Comité d'éthique"), gf.dans(12), referent)
    second = services.soumettre(v.pk, ethique.pk, 1 + v.version, referent)
    services_seances.retirer_point(premier.pk, referent)
    v.refresh_from_db()
    assert v.statut == "soumise"  # encore à l'ordre du jour du comité d'éthique
    services_seances.retirer_point(second.pk, referent)
    v.refresh_from_db()
    assert v.statut == "brouillon" and v.soumise_le is None
    assert v.history.first().history_user == referent
    services.modifier(v.pk, {"titre": "Charte revue"}, v.version, referent)  # de nouveau modifiable


def test_soumettre_a_la_seance_d_une_autre_organisation_est_refuse(monde):
    org, referent, *_ = monde
    autre = fabrique.organisation("Commune B")
    seance_b = gf.seance(gf.instance(autre), gf.dans(5), fabrique.membre(autre, "referent", "r@b.fr"))
    v = _composer(org, referent)
    with pytest.raises(ValidationError, match="introuvable"):
        services.soumettre(v.pk, seance_b.pk, v.version, referent)
    v.refresh_from_db()
    assert v.statut == "brouillon" and not Point.objects.exists()


def test_adopter_exige_la_consultation_et_des_saisies_valides(monde):
    org, referent, _, _, seance = monde
    v = _composer(org, referent)
    aujourd_hui = timezone.localdate()
    with pytest.raises(services.RefusCharte, match="n'a pas été soumise"):
        services.adopter(v.pk, "direction", aujourd_hui, v.version, referent)
    services.soumettre(v.pk, seance.pk, v.version, referent)
    v.refresh_from_db()
    refus = [
        (("deliberation", aujourd_hui), {"deliberation_numero": "  "}, "obligatoire"),
        (("deliberation", aujourd_hui + timedelta(days=1)), {"deliberation_numero": "D1"}, "dans le futur"),
        (("direction", "2026-01-01"), {}, "Indiquez la date"),
        (("direction", aujourd_hui - timedelta(days=3)), {}, "précéder la soumission"),
        (("vote", aujourd_hui), {}, "Choisissez"),
        (("deliberation", aujourd_hui), {"deliberation_numero": "=cmd|'/c calc'"}, "ne commence pas"),
    ]
    for (mode, jour), options, message in refus:
        with pytest.raises(ValidationError) as exc:
            services.adopter(v.pk, mode, jour, v.version, referent, **options)
        assert message in " ".join(exc.value.messages), message
    v.refresh_from_db()
    assert v.statut == "soumise" and not EvenementJournal.objects.exists()


def test_une_nouvelle_adoption_remplace_la_precedente_et_est_notee_au_journal(monde):
    org, referent, _, _, seance = monde
    premiere = _adoptee(org, referent, seance)
    assert premiere.statut == "adoptee" and premiere.deliberation_numero == "DEL-2026-12"
    seconde = services.reprendre(premiere.pk, referent)
    assert seconde.numero == 2 and seconde.principes == premiere.principes and seconde.statut == "brouillon"
    services.soumettre(seconde.pk, seance.pk, seconde.version, referent)
    seconde.refresh_from_db()
    services.adopter(seconde.pk, "direction", timezone.localdate(), seconde.version, referent)
    premiere.refresh_from_db()
    assert premiere.statut == "remplacee" and premiere.remplacee_le is not None
    assert selectors.adoptee(org).pk == seconde.pk
    evenements = list(EvenementJournal.objects.filter(organisation=org).order_by("pk"))
    assert [e.nature for e in evenements] == ["charte_adoptee", "charte_adoptee"]
    assert evenements[0].details["deliberation"] == "DEL-2026-12"
    assert evenements[1].details["remplace"] == str(premiere)
    with pytest.raises(services.RefusCharte, match="déjà « remplacée »"):
        services.adopter(premiere.pk, "direction", timezone.localdate(), premiere.version, referent)


def test_le_selecteur_adoptee_tient_en_une_requete(monde):
    org, referent, _, _, seance = monde
    with CaptureQueriesContext(connection) as vide:
        assert selectors.adoptee(org) is None
    _adoptee(org, referent, seance)
    with CaptureQueriesContext(connection) as lu:
        v = selectors.adoptee(org)
        assert v.principes and v.lignes_rouges and v.adoptee_le and v.mode_adoption == "deliberation"
    assert len(vide) == 1 and len(lu) == 1


# --- Consultation : la séance et les avis --------------------------------------------------------


def test_les_avis_rendus_sur_le_point_sont_sur_la_page_de_la_version(monde, client):
    org, referent, lecteur, _, seance = monde
    v = _composer(org, referent)
    point = services.soumettre(v.pk, seance.pk, v.version, referent)
    services_avis.rendre_avis(
        point, {"sens": "favorable", "motifs": "Charte claire et complète."}, [], referent
    )
    client.force_login(lecteur)
    page = client.get(reverse("chartes:version", args=[org.slug, v.pk])).content.decode()
    assert "Comité social territorial" in page and "Charte claire et complète." in page
    assert "Soumettre" not in page  # le lecteur lit sans piloter
    client.force_login(referent)
    seance_page = client.get(reverse("gouvernance:seance", args=[org.slug, seance.pk])).content.decode()
    assert reverse("chartes:version", args=[org.slug, v.pk]) in seance_page
    point_page = client.get(reverse("gouvernance:point", args=[org.slug, point.pk])).content.decode()
    assert reverse("chartes:version", args=[org.slug, v.pk]) in point_page


def test_le_point_charte_s_inscrit_aussi_depuis_la_seance(monde, client):
    org, referent, _, _, seance = monde
    v = _composer(org, referent)
    client.force_login(referent)
    adresse = reverse("gouvernance:seance_point_nouveau", args=[org.slug, seance.pk])
    reponse = client.post(adresse, {"nature": "charte", "version_charte": v.pk})
    assert reponse.status_code == 302
    v.refresh_from_db()
    assert v.statut == "soumise" and Point.objects.get().version_charte_id == v.pk


def test_le_dossier_fige_du_point_contient_le_texte_de_la_charte(monde):
    from balise.gouvernance import pdf_seances

    org, referent, _, _, seance = monde
    v = _composer(org, referent)
    point = services.soumettre(v.pk, seance.pk, v.version, referent)
    texte = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf_seances.dossier_point(point))).pages)
    assert "Sobriété" in texte and "Aucune décision individuelle" in texte


# --- Pages, droits ---------------------------------------------------------------------------------


def test_parcours_des_pages(monde, client):
    org, referent, lecteur, _, seance = monde
    client.force_login(referent)
    assert client.get(reverse("chartes:accueil", args=[org.slug])).status_code == 200
    assert "Transparence" in client.get(reverse("chartes:jeux", args=[org.slug])).content.decode()
    reponse = client.post(
        reverse("chartes:composer", args=[org.slug]),
        {
            "titre": "Charte",
            "principes": CHOIX,
            "engagements": "Former les agents\nPublier",
            "lignes_rouges": "",
        },
    )
    v = VersionCharte.objects.get()
    assert reponse.url == reverse("chartes:version", args=[org.slug, v.pk])
    assert v.engagements == ["Former les agents", "Publier"]
    modifier = reverse("chartes:modifier", args=[org.slug, v.pk])
    assert client.get(modifier).status_code == 200
    client.post(
        modifier,
        {"titre": "Charte", "principes": "Transparence : Dite par nous.\nFrugalité", "version": v.version},
    )
    v.refresh_from_db()
    assert v.principes[0] == {
        "titre": "Transparence",
        "explication": "Dite par nous.",
        "source": CHOIX_SOURCE,
    }
    client.post(
        reverse("chartes:soumettre", args=[org.slug, v.pk]), {"seance": seance.pk, "version": v.version}
    )
    v.refresh_from_db()
    assert v.statut == "soumise"
    client.post(
        reverse("chartes:adopter", args=[org.slug, v.pk]),
        {
            "mode_adoption": "deliberation",
            "adoptee_le": timezone.localdate().isoformat(),
            "version": v.version,
        },
    )
    v.refresh_from_db()
    assert v.statut == "soumise"  # numéro manquant : refus, rien n'a changé
    client.post(
        reverse("chartes:adopter", args=[org.slug, v.pk]),
        {
            "mode_adoption": "deliberation",
            "adoptee_le": timezone.localdate().isoformat(),
            "deliberation_numero": "2026-045",
            "version": v.version,
        },
    )
    v.refresh_from_db()
    assert v.statut == "adoptee"
    client.force_login(lecteur)
    assert client.get(reverse("chartes:composer", args=[org.slug])).status_code == 403
    assert client.post(reverse("chartes:reprendre", args=[org.slug, v.pk])).status_code == 403
    assert VersionCharte.objects.count() == 1


CHOIX_SOURCE = "001_6d261824628c0297.txt:356"


def test_une_autre_organisation_ne_voit_rien(monde, client):
    org, referent, *_ = monde
    v = _composer(org, referent)
    autre = fabrique.organisation("Commune B")
    intrus = fabrique.membre(autre, "administrateur", "x@b.fr")
    client.force_login(intrus)
    assert client.get(reverse("chartes:version", args=[org.slug, v.pk])).status_code == 404
    assert client.get(reverse("chartes:version", args=[autre.slug, v.pk])).status_code == 404
    assert client.post(reverse("chartes:reprendre", args=[autre.slug, v.pk])).status_code == 404
    assert VersionCharte.objects.count() == 1


# --- Publication ------------------------------------------------------------------------------------


def test_page_publique_pdf_et_lien_depuis_le_registre(monde, client):
    org, referent, _, _, seance = monde
    publique = reverse("charte_publique:page", args=[org.slug])
    assert client.get(publique).status_code == 404
    assert (
        "Charte de l'IA de la collectivité"
        not in client.get(reverse("public:registre", args=[org.slug])).content.decode()
    )
    v = _adoptee(org, referent, seance)
    page = client.get(publique)
    assert page.status_code == 200 and "public" in page["Cache-Control"]
    contenu = page.content.decode()
    # « délibération » y porte sa définition (glossaire) : un lien et une infobulle avant le numéro.
    assert "Sobriété" in contenu and "délibération</a>" in contenu and "n° DEL-2026-12" in contenu
    registre = client.get(reverse("public:registre", args=[org.slug])).content.decode()
    assert publique in registre
    reponse = client.get(reverse("charte_publique:pdf", args=[org.slug]))
    assert reponse["Content-Type"] == "application/pdf"
    texte = "".join(p.extract_text() for p in PdfReader(io.BytesIO(reponse.content)).pages)
    assert v.titre in texte and "Contrôle humain" in texte and "DEL-2026-12" in texte


def test_le_pdf_lit_la_charte_telle_qu_adoptee(monde):
    org, referent, _, _, seance = monde
    v = _adoptee(org, referent, seance, deliberation_numero="N-1")
    texte = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.pdf(v))).pages)
    assert "N-1" in texte and "Aucune décision individuelle sans relecture humaine." in texte


def test_donnees_ouvertes(monde, client):
    org, referent, _, _, seance = monde
    adresse = reverse("public:json", args=[org.slug])
    assert json.loads(client.get(adresse).content)["charte"] is None
    _adoptee(org, referent, seance)
    d = json.loads(client.get(adresse).content)
    assert d["schema"]["version"] == opendata.SCHEMA_VERSION == "1.2"
    c = d["charte"]
    assert set(c) == {nom for nom, _ in opendata.CHAMPS_CHARTE}
    assert c["mode_adoption"] == "deliberation" and c["deliberation_numero"] == "DEL-2026-12"
    assert c["principes"][0] == {
        "titre": "Transparence",
        "explication": VersionCharte.objects.get().principes[0]["explication"],
    }
    assert c["adresse"].endswith(reverse("charte_publique:page", args=[org.slug]))
    schema = client.get(reverse("public:schema")).content.decode()
    assert "lignes_rouges" in schema and "1.2" in schema


# --- API ---------------------------------------------------------------------------------------------


def test_api_parcours_et_droits(monde):
    org, referent, lecteur, _, seance = monde
    jeux_lus = fabrique.appel_api(lecteur, "GET", f"{org.slug}/charte/jeux")
    assert jeux_lus.status_code == 200 and len(jeux_lus.json()) == 4
    corps = {"titre": "Charte", "principes": CHOIX}
    assert fabrique.appel_api(lecteur, "POST", f"{org.slug}/charte/versions", corps).status_code == 403
    cree = fabrique.appel_api(referent, "POST", f"{org.slug}/charte/versions", corps)
    assert cree.status_code == 201, cree.content
    v = cree.json()
    base = f"{org.slug}/charte/versions/{v['id']}"
    modif = fabrique.appel_api(referent, "PATCH", base, {"lignes_rouges": ["Pas de notation"], "version": 1})
    assert modif.status_code == 200 and modif.json()["version"] == 2
    conflit = fabrique.appel_api(referent, "PATCH", base, {"titre": "X", "version": 1})
    assert conflit.status_code == 409
    adoption = {"mode_adoption": "direction", "adoptee_le": timezone.localdate().isoformat(), "version": 2}
    assert fabrique.appel_api(referent, "POST", base + "/adoption", adoption).status_code == 409
    soumis = fabrique.appel_api(referent, "POST", base + "/soumission", {"seance": seance.pk, "version": 2})
    assert soumis.status_code == 201
    adoption["version"] = 3
    adoptee = fabrique.appel_api(referent, "POST", base + "/adoption", adoption)
    assert adoptee.status_code == 200 and adoptee.json()["statut"] == "adoptee"
    lue = fabrique.appel_api(lecteur, "GET", base).json()
    assert lue["consultations"][0]["seance"] == seance.pk
    autre = fabrique.membre(fabrique.organisation("Commune B"), "administrateur", "x@b.fr")
    assert fabrique.appel_api(autre, "GET", base).status_code == 404


def test_pages_en_nombre_de_requetes_constant(monde, client):
    org, referent, _, inst, seance = monde

    def compter(nom, *args):
        with CaptureQueriesContext(connection) as requetes:
            assert client.get(reverse(nom, args=[org.slug, *args])).status_code == 200
        return len(requetes)

    client.force_login(referent)
    v = _composer(org, referent)
    services.soumettre(v.pk, seance.pk, v.version, referent)
    compter("chartes:version", v.pk)  # caches chauds
    une = (compter("chartes:accueil"), compter("chartes:version", v.pk))
    v.refresh_from_db()
    for n in range(3):
        autre = gf.seance(gf.instance(org, f"Instance {n}"), gf.dans(20 + n), referent)
        point = services.soumettre(v.pk, autre.pk, v.version, referent)
        services_avis.rendre_avis(point, {"sens": "favorable", "motifs": f"Avis {n}."}, [], referent)
        _composer(org, referent)
    compter("chartes:version", v.pk)
    assert (compter("chartes:accueil"), compter("chartes:version", v.pk)) == une
