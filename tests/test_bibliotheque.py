"""La bibliothèque partagée des cas d'usage (issue 17, point 4) : catalogue sourcé, partage choisi et
sans nom de personne, recherche (plein texte en français sur PostgreSQL, repli sur SQLite), adoption en
fiche du registre, API, page publique, droits et cloisonnement."""

import html
import re
from pathlib import Path

import pytest
import yaml
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from balise.bibliotheque import catalogue, selectors, services
from balise.bibliotheque.models import Adoption, CasUsage
from balise.comptes.models import Utilisateur
from balise.registre.models import SystemeIA
from balise.versions import ConflitEdition
from tests import fabrique
from tests.test_glossaire import termes_sans_definition

SEEDS = next(
    (
        p / "shared" / "seeds"
        for p in Path(__file__).resolve().parents[1:4]
        if (p / "shared" / "seeds").exists()
    ),
    Path("/nulle-part"),
)
TEXTE_CATALOGUE = (catalogue.DOSSIER / "cas-v1.yaml").read_text(encoding="utf-8")


def _partage(**autres) -> services.Partage:
    valeurs = {"titre": "Détection des fuites", "finalite": "Repérer les fuites du réseau d'eau."}
    return services.Partage(**{**valeurs, **autres})


def _etat() -> tuple:
    """Ce que la bibliothèque et le registre contiennent : rien ne doit bouger après un refus."""
    return (
        list(CasUsage.objects.order_by("pk").values()),
        list(CasUsage.history.order_by("pk").values_list("history_id", flat=True)),
        list(Adoption.objects.order_by("pk").values()),
        list(SystemeIA.objects.order_by("pk").values_list("pk", "version")),
    )


@pytest.fixture
def bibliotheque(db):
    instance = fabrique.utilisateur("instance@exemple.fr", is_superuser=True, is_staff=True)
    services.charger_catalogue(instance)
    return instance


@pytest.fixture
def partage_a(systeme_a, referent_a):
    return services.partager(
        systeme_a, _partage(couts=True, stade=True, lecons="Vérifier chaque alerte."), referent_a
    )


# --- Le catalogue -----------------------------------------------------------------------------------


def test_le_catalogue_livre_compte_au_moins_vingt_cas_sans_nom_de_personne():
    cat = catalogue.en_vigueur()
    assert len(cat.cas) >= 20
    assert {"cannes_rapports_dsp", "suresnes_guichet_unique", "cdg74_lecture_actes"} <= set(
        cat.par_identifiant
    )
    cannes = cat.par_identifiant["cannes_rapports_dsp"]
    assert {(m.libelle, int(m.valeur), m.unite) for m in cannes.mesures} >= {
        ("Temps de travail avant le dispositif", 1100, "heures"),
        ("Temps de travail avec le dispositif", 118, "heures"),
        ("Coût des licences logicielles", 1499, "€"),
    }
    assert cat.citer(cannes) == "graine 001:614, 618, 620"
    # Les personnes que nomment les sources (directeurs, avocate, directrices de projet) n'y sont pas.
    for nom in (
        "Topin",
        "Condomitti",
        "Sanmartin",
        "Lefebvre",
        "Bouvier",
        "Limpens",
        "Labruyère",
        "Boquillon",
    ):
        assert nom.casefold() not in TEXTE_CATALOGUE.casefold(), nom


_NOMBRES_EN_LETTRES = {2: "deux", 3: "trois", 10: "dix"}
_GENERIQUES = {
    "ville",
    "commune",
    "région",
    "département",
    "métropole",
    "communauté",
    "communes",
    "centre",
    "gestion",
    "agence",
    "nationale",
    "établissement",
    "public",
    "territorial",
    "belgique",
    "haute",
    "agglomération",
    "des",
    "les",
}


def _lignes() -> dict[str, list[str]]:
    return {p.name[:3]: p.read_text(encoding="utf-8").splitlines() for p in SEEDS.glob("00*.txt")}


@pytest.mark.skipif(not SEEDS.exists(), reason="textes sources absents de cette copie")
def test_chaque_chiffre_et_chaque_collectivite_sont_dans_les_lignes_citees():
    lignes = _lignes()
    for cas in catalogue.en_vigueur().cas:
        cites = [(r.source.removeprefix("seed_"), r.ligne) for r in cas.sources]
        texte = " ".join(lignes[s][n - 1] for s, n in cites).replace("\u202f", " ").replace("\xa0", " ")
        assert all(lignes[s][n - 1].strip() for s, n in cites), cas.identifiant
        for m in cas.mesures:
            entier = int(m.valeur)
            ecritures = {str(entier), f"{entier:,}".replace(",", " "), _NOMBRES_EN_LETTRES.get(entier, "§")}
            assert any(re.search(rf"(?<!\d)(?<!\d ){re.escape(e)}(?!\d)", texte) for e in ecritures), (
                cas.identifiant,
                m.libelle,
            )
        # La collectivité est nommée dans le passage cité (ou juste avant : titre de l'encart).
        s, premiere = cites[0]
        passage = " ".join(lignes[s][max(0, premiere - 12) : max(n for _, n in cites) + 1]).casefold()
        mots = [m for m in re.findall(r"[\w']{3,}", cas.collectivite.casefold()) if m not in _GENERIQUES] or [
            cas.collectivite.casefold()
        ]
        assert any(m in passage for m in mots), cas.identifiant


@pytest.mark.skipif(not SEEDS.exists(), reason="textes sources absents de cette copie")
def test_le_catalogue_est_ecrit_dans_les_mots_de_balise():
    """Aucune suite de huit mots des textes rédigés du catalogue ne figure dans une source."""

    def mots(texte: str) -> list[str]:
        return re.findall(r"\w+", services.normaliser(texte))

    suites_sources = set()
    for lignes in _lignes().values():
        m = mots(" ".join(lignes))
        suites_sources |= {" ".join(m[i : i + 8]) for i in range(len(m) - 7)}
    for cas in catalogue.en_vigueur().cas:
        for champ in ("finalite", "decision", "lecons"):
            m = mots(getattr(cas, champ))
            reprises = [
                " ".join(m[i : i + 8]) for i in range(len(m) - 7) if " ".join(m[i : i + 8]) in suites_sources
            ]
            assert not reprises, (cas.identifiant, champ, reprises[:1])


def _texte_modifie(modifier) -> str:
    donnees = yaml.safe_load(TEXTE_CATALOGUE)
    modifier(donnees)
    return yaml.safe_dump(donnees, allow_unicode=True)


@pytest.mark.parametrize(
    ("modifier", "attendu"),
    [
        (lambda d: d["cas"][1].update(identifiant="cannes_rapports_dsp"), "défini deux fois"),
        (lambda d: d["cas"][0].update(domaine="culture"), "cas.0.domaine : valeur non prévue"),
        (lambda d: d["cas"][0].update(sources=[{"source": "inconnue"}]), "source inconnue"),
        (lambda d: d["cas"][0]["mesures"][0].update(valeur=-1), "valeur trop petite"),
        (lambda d: d["cas"][0].update(couleur="bleu"), "champ inconnu"),
        (lambda d: d["cas"][0].update(sources=[]), "trop court"),
    ],
)
def test_un_catalogue_incoherent_est_refuse_en_francais(modifier, attendu):
    with pytest.raises(catalogue.CatalogueInvalide) as erreur:
        catalogue.lire(_texte_modifie(modifier))
    assert attendu in str(erreur.value)


def test_charger_le_catalogue_est_sans_doublon_et_suit_ses_versions(db):
    instance = fabrique.utilisateur("instance@exemple.fr", is_superuser=True)
    cat = catalogue.en_vigueur()
    assert services.charger_catalogue(instance) == services.Bilan(len(cat.cas), 0, 0, 0)
    assert services.charger_catalogue(instance) == services.Bilan(0, 0, len(cat.cas), 0)
    assert not CasUsage.history.filter(history_user__isnull=True).exists()

    def changer(d):
        d["cas"][0]["titre"] = "Titre revu"
        del d["cas"][1]

    revu = catalogue.lire(_texte_modifie(changer))
    assert services.charger_catalogue(instance, revu) == services.Bilan(0, 1, len(cat.cas) - 2, 1)
    cannes = CasUsage.objects.get(identifiant="cannes_rapports_dsp")
    assert cannes.titre == "Titre revu" and cannes.version == 2
    assert CasUsage.objects.get(identifiant=cat.cas[1].identifiant).retire
    # Le catalogue livré rétablit le cas retiré et le titre.
    assert services.charger_catalogue(instance) == services.Bilan(0, 2, len(cat.cas) - 2, 0)


def test_la_commande_charge_le_catalogue_et_refuse_sans_compte(db):
    with pytest.raises(CommandError, match="Aucun administrateur de l'instance"):
        call_command("charger_bibliotheque")
    with pytest.raises(CommandError, match="Aucun compte actif"):
        call_command("charger_bibliotheque", par="personne@exemple.fr")
    fabrique.utilisateur("instance@exemple.fr", is_superuser=True)
    call_command("charger_bibliotheque", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert CasUsage.objects.filter(origine="catalogue").count() == len(catalogue.en_vigueur().cas)


# --- Partager -----------------------------------------------------------------------------------------


def test_un_partage_est_une_copie_choisie_sans_nom_de_personne(systeme_a, referent_a):
    systeme_a.cout_investissement, systeme_a.cout_annuel = 120000, 15000
    systeme_a.save()
    cas = services.partager(systeme_a, _partage(), referent_a)
    assert cas.origine == "partage" and cas.organisation == systeme_a.organisation
    assert cas.collectivite == "Commune A" and cas.type_collectivite == "commune"
    assert (cas.domaine, cas.type_ia, cas.realisation) == (
        systeme_a.domaine,
        systeme_a.type_ia,
        "prestataire",
    )
    # Rien de ce qui n'est pas coché, rien de personnel.
    assert cas.mesures == [] and cas.stade == "" and cas.lecons == "" and cas.contact == ""
    valeurs = " ".join(str(v) for v in CasUsage.objects.filter(pk=cas.pk).values().get().values())
    assert "Claire Petit" not in valeurs and systeme_a.service not in valeurs
    cas = services.partager(
        systeme_a,
        _partage(couts=True, stade=True, lecons="Vérifier chaque alerte.", contact="eau@commune-a.fr"),
        referent_a,
        cas.version,
    )
    assert [m["valeur"] for m in cas.mesures] == ["120000.00", "15000.00"]
    assert cas.stade == "idee" and cas.contact == "eau@commune-a.fr" and cas.version == 2
    assert CasUsage.history.filter(id=cas.pk, history_user=referent_a).count() == 2


@pytest.mark.parametrize(
    ("choix", "champ", "message"),
    [
        ({"contact": "referent-a@exemple.fr"}, "contact", "personne inscrite à Balise"),
        ({"contact": "pas une adresse"}, "contact", "adresse électronique valide"),
        ({"contact": ""}, "contact", "saisissez son adresse"),
        ({"lecons": "   "}, "lecons", "écrivez-les, ou décochez"),
        ({"titre": " "}, "titre", "Donnez un titre"),
    ],
)
def test_un_partage_refuse_ne_change_rien(systeme_a, referent_a, choix, champ, message):
    avant = _etat()
    with pytest.raises(ValidationError) as erreur:
        services.partager(systeme_a, _partage(**choix), referent_a)
    assert message in " ".join(erreur.value.message_dict[champ])
    assert _etat() == avant


def test_mettre_a_jour_un_partage_exige_la_version_lue(partage_a, systeme_a, referent_a):
    for version in (None, partage_a.version + 1):
        with pytest.raises(ConflitEdition):
            services.partager(systeme_a, _partage(titre="Autre"), referent_a, version)
    assert CasUsage.objects.get().titre == "Détection des fuites"


def test_retirer_un_partage_l_archive_et_le_repartager_le_remet(
    bibliotheque, partage_a, systeme_a, referent_a
):
    criteres = selectors.Criteres(q="fuites", origine="partage")
    assert list(selectors.rechercher(criteres)) == [partage_a]
    retire = services.retirer(partage_a, referent_a, partage_a.version)
    assert retire.retire and not selectors.rechercher(criteres).exists()
    with pytest.raises(ValidationError, match="déjà retiré"):
        services.retirer(retire, referent_a, retire.version)
    remis = services.partager(systeme_a, _partage(), referent_a, retire.version)
    assert remis.pk == partage_a.pk and not remis.retire
    assert CasUsage.history.filter(id=remis.pk).count() == 3
    catalogue_cas = CasUsage.objects.filter(origine="catalogue").first()
    with pytest.raises(ValidationError, match="ne se retire pas"):
        services.retirer(catalogue_cas, referent_a, catalogue_cas.version)


def test_page_de_partage_propose_puis_partage(client, systeme_a, referent_a):
    client.force_login(referent_a)
    adresse = f"/o/commune-a/bibliotheque/partager/{systeme_a.pk}/"
    page = client.get(adresse)
    assert page.status_code == 200
    contenu = page.content.decode()
    assert "Détection des fuites" in contenu and "Claire Petit" not in contenu
    saisie = {
        "titre": "Détection des fuites",
        "finalite": "Repérer les fuites.",
        "couts": "on",
        "stade": "on",
        "partager_lecons": "on",
        "lecons": "Commencer par un secteur.",
        "partager_contact": "on",
        "contact": "referent-a@exemple.fr",  # une personne : refusé
    }
    refus = client.post(adresse, saisie)
    assert refus.status_code == 400 and "personne inscrite" in refus.content.decode()
    assert not CasUsage.objects.exists()
    reponse = client.post(adresse, {**saisie, "contact": "eau@commune-a.fr"})
    cas = CasUsage.objects.get()
    assert reponse.status_code == 302 and reponse["Location"] == f"/o/commune-a/bibliotheque/{cas.pk}/"
    assert cas.lecons == "Commencer par un secteur." and cas.contact == "eau@commune-a.fr"
    # La fiche du registre montre le partage ; la page de partage, de quoi le retirer.
    assert (
        f"/o/commune-a/bibliotheque/{cas.pk}/"
        in client.get(f"/o/commune-a/registre/{systeme_a.pk}/").content.decode()
    )
    assert "Retirer de la bibliothèque" in client.get(adresse).content.decode()
    retrait = client.post(f"/o/commune-a/bibliotheque/{cas.pk}/retrait/", {"version": str(cas.version)})
    assert retrait.status_code == 302 and CasUsage.objects.get().retire
    assert client.get(f"/o/commune-a/bibliotheque/{cas.pk}/").status_code == 404


# --- Chercher ---------------------------------------------------------------------------------------


def _titres(**criteres) -> list[str]:
    return [c.titre for c in selectors.rechercher(selectors.Criteres(**criteres))]


@pytest.mark.parametrize("plein_texte", [True, False], ids=["base", "repli"])
def test_recherche_par_mots_sans_accents_et_par_filtres(bibliotheque, monkeypatch, plein_texte):
    if plein_texte and connection.vendor != "postgresql":
        pytest.skip("plein texte : PostgreSQL seulement")
    monkeypatch.setattr(selectors, "plein_texte", lambda: plein_texte)
    assert "Réduction de la consommation d'énergie des bâtiments (Recital)" in _titres(q="ENERGIE batiments")
    assert _titres(q="fuites canalisations") == ["Détection des fuites sur les canalisations d'eau"]
    assert _titres(q="rapports délégation service public")[0].startswith("Fiches de synthèse des rapports")
    assert _titres(q="zzzintrouvable") == []
    rh = _titres(domaine="rh")
    assert "Contrôle automatisé des actes de carrière transmis par les collectivités" in rh
    assert all(c.domaine == "rh" for c in selectors.rechercher(selectors.Criteres(domaine="rh")))
    assert _titres(q="delibia", type_collectivite="region") == [
        "Outil de rédaction administrative encadré pour la région"
    ]
    assert set(_titres(type_ia="discriminante", realisation="mixte")) >= {
        "Contrôle automatisé des actes de carrière transmis par les collectivités"
    }


@pytest.mark.skipif(connection.vendor != "postgresql", reason="plein texte : PostgreSQL seulement")
def test_le_plein_texte_francais_trouve_les_formes_d_un_mot(bibliotheque):
    # « fuite » trouve « fuites », « détecter » trouve « détection » ? Le radical français de « fuite ».
    assert "Détection des fuites sur les canalisations d'eau" in _titres(q="fuite")
    assert "Fiches de synthèse des rapports annuels des délégations de service public" in _titres(
        q="rapport annuel"
    )
    with connection.cursor() as c:  # la colonne générée et son index GIN existent
        c.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'cas_recherche_fts'")
        assert "gin" in c.fetchone()[0].lower()


def test_page_de_recherche_filtre_pagine_en_requetes_constantes(client, bibliotheque, org_a, lecteur_a):
    client.force_login(lecteur_a)

    def requetes(adresse: str) -> int:
        client.get(adresse)  # personne et adhésion en cache, comme en service
        with CaptureQueriesContext(connection) as capture:
            reponse = client.get(adresse)
        assert reponse.status_code == 200
        return len(capture.captured_queries)

    adresse = "/o/commune-a/bibliotheque/"
    peu = requetes(adresse)
    auteur = fabrique.membre(org_a, "referent")
    for i in range(30):
        s = fabrique.systeme(org_a, auteur, nom=f"Assistant {i}")
        services.partager(s, _partage(titre=f"Assistant partagé {i}", couts=True), auteur)
    assert requetes(adresse) == peu
    assert requetes(adresse + "?q=assistant&page=2") == peu
    page = html.unescape(client.get(adresse + "?q=canalisations").content.decode())
    assert "1 cas d'usage" in page and "Détection des fuites" in page
    invalide = client.get(adresse + "?domaine=culture").content.decode()
    assert "Filtres invalides, ignorés" in invalide


# --- Adopter ----------------------------------------------------------------------------------------


def test_adopter_cree_une_fiche_au_stade_idee_qui_se_qualifie(client, bibliotheque, org_a, referent_a):
    client.force_login(referent_a)
    cas = CasUsage.objects.get(identifiant="cannes_rapports_dsp")
    page = client.get(f"/o/commune-a/bibliotheque/{cas.pk}/").content.decode()
    assert "1\xa0100 heures" in page and "Adopter dans notre registre" in page and "graine 001:614" in page
    reponse = client.post(
        f"/o/commune-a/bibliotheque/{cas.pk}/adopter/",
        {"service": "Contrôle de gestion", "responsable": "Chargée de mission", "nom": ""},
    )
    adoption = Adoption.objects.get()
    systeme = adoption.systeme
    assert reponse.status_code == 302 and reponse["Location"] == f"/o/commune-a/registre/{systeme.pk}/"
    assert (systeme.organisation, systeme.stade, systeme.nom) == (org_a, "idee", cas.titre)
    assert (systeme.domaine, systeme.type_ia, systeme.realisation) == ("finances", "generative", "interne")
    assert (
        "Repris de la bibliothèque" in systeme.benefices_attendus
        and "1100 heures" in systeme.benefices_attendus
    )
    assert systeme.history.get().history_user == referent_a
    fiche = client.get(f"/o/commune-a/registre/{systeme.pk}/").content.decode()
    assert f"/o/commune-a/bibliotheque/{cas.pk}/" in fiche and "Adopté le" in fiche
    assert client.get(f"/o/commune-a/registre/{systeme.pk}/qualification/").status_code == 200
    assert "Commune A" in client.get(f"/o/commune-a/bibliotheque/{cas.pk}/").content.decode()


def test_le_resultat_d_une_adoption_se_lit_quand_l_organisation_le_partage(
    client, bibliotheque, org_a, referent_a, org_b, admin_b
):
    cas = CasUsage.objects.get(identifiant="sicoval_detection_fuites")
    adoption = services.adopter(cas, org_b, admin_b, "Régie de l'eau", "Directrice de la régie")
    client.force_login(referent_a)
    page = client.get(f"/o/commune-a/bibliotheque/{cas.pk}/").content.decode()
    assert "Commune B" in page and "non partagé" in page
    partage = services.partager(adoption.systeme, _partage(stade=True), admin_b)
    page = client.get(f"/o/commune-a/bibliotheque/{cas.pk}/").content.decode()
    assert f"/o/commune-a/bibliotheque/{partage.pk}/" in page and "Idée" in page
    # Son propre partage ne s'adopte pas.
    with pytest.raises(ValidationError, match="partage de votre organisation"):
        services.adopter(partage, org_b, admin_b, "Service", "Responsable")


def test_un_double_envoi_n_adopte_qu_une_fois(client, bibliotheque, referent_a):
    client.force_login(referent_a)
    cas = CasUsage.objects.get(identifiant="cdg74_lecture_actes")
    envoi = {
        "service": "Carrières",
        "responsable": "Cheffe de service",
        "envoi": "jeton-d-envoi-unique-1234567890ab",
    }
    for _ in range(2):
        assert client.post(f"/o/commune-a/bibliotheque/{cas.pk}/adopter/", envoi).status_code == 302
    assert Adoption.objects.count() == 1


# --- Droits et cloisonnement ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("methode", "gabarit", "lecteur", "etranger"),
    [
        ("get", "/o/commune-a/bibliotheque/", 200, 404),
        ("get", "/o/commune-a/bibliotheque/{cas}/", 200, 404),
        ("post", "/o/commune-a/bibliotheque/{cas}/adopter/", 403, 404),
        ("get", "/o/commune-a/bibliotheque/partager/{systeme}/", 403, 404),
        ("post", "/o/commune-a/bibliotheque/partager/{systeme}/", 403, 404),
        ("post", "/o/commune-a/bibliotheque/{partage}/retrait/", 403, 404),
    ],
)
def test_droits_des_pages(
    client, bibliotheque, partage_a, systeme_a, lecteur_a, admin_b, methode, gabarit, lecteur, etranger
):
    cas = CasUsage.objects.get(identifiant="cannes_rapports_dsp")
    adresse = gabarit.format(cas=cas.pk, systeme=systeme_a.pk, partage=partage_a.pk)
    corps = {"service": "S", "responsable": "R", "titre": "T", "finalite": "F", "version": "1"}
    avant = _etat()
    for personne, attendu in ((lecteur_a, lecteur), (admin_b, etranger)):
        client.force_login(personne)
        reponse = client.get(adresse) if methode == "get" else client.post(adresse, corps)
        assert reponse.status_code == attendu, (personne, adresse)
    assert _etat() == avant


def test_un_dpo_adopte_mais_ne_partage_pas(client, bibliotheque, org_a, systeme_a):
    dpo = fabrique.membre(org_a, "dpo")
    client.force_login(dpo)
    assert client.get(f"/o/commune-a/bibliotheque/partager/{systeme_a.pk}/").status_code == 403
    cas = CasUsage.objects.get(identifiant="var_portail_mdph")
    assert (
        "Adopter dans notre registre" in client.get(f"/o/commune-a/bibliotheque/{cas.pk}/").content.decode()
    )


def test_on_ne_partage_ni_le_systeme_d_une_autre_organisation_ni_un_systeme_archive(
    client, systeme_a, systeme_b, referent_a
):
    from balise.registre import services as registre

    client.force_login(referent_a)
    assert client.get(f"/o/commune-a/bibliotheque/partager/{systeme_b.pk}/").status_code == 404
    registre.archiver(systeme_a.pk, referent_a, systeme_a.version)
    assert client.get(f"/o/commune-a/bibliotheque/partager/{systeme_a.pk}/").status_code == 404
    with pytest.raises(ValidationError, match="archivé"):
        services.partager(systeme_a, _partage(), referent_a)


def test_retirer_le_partage_d_une_autre_organisation_est_introuvable(client, partage_a, admin_b, org_b):
    client.force_login(admin_b)
    assert (
        client.post(f"/o/commune-b/bibliotheque/{partage_a.pk}/retrait/", {"version": "1"}).status_code == 404
    )
    assert not CasUsage.objects.get().retire


# --- API ------------------------------------------------------------------------------------------------


def test_api_chercher_lire_adopter(bibliotheque, org_a, referent_a, lecteur_a, admin_b, partage_a):
    liste = fabrique.appel_api(lecteur_a, "GET", "commune-a/bibliotheque?q=canalisations&limit=5")
    assert liste.status_code == 200
    corps = liste.json()
    assert corps["count"] == 1 and corps["items"][0]["titre"].startswith("Détection des fuites sur les")
    assert fabrique.appel_api(lecteur_a, "GET", "commune-a/bibliotheque?domaine=culture").status_code == 422
    cas = CasUsage.objects.get(identifiant="suresnes_guichet_unique")
    lu = fabrique.appel_api(lecteur_a, "GET", f"commune-a/bibliotheque/{cas.pk}").json()
    assert lu["collectivite"] == "Ville de Suresnes" and lu["adoptions"] == []
    assert {"libelle": "Appels reçus en 2024", "valeur": "75000", "unite": "appels"} in lu["mesures"]
    adresse = f"commune-a/bibliotheque/{cas.pk}/adopter"
    entree = {"service": "Accueil", "responsable": "Responsable de l'accueil"}
    avant = _etat()
    assert fabrique.appel_api(lecteur_a, "POST", adresse, entree).status_code == 403
    assert fabrique.appel_api(admin_b, "POST", adresse, entree).status_code == 404
    assert fabrique.appel_api(referent_a, "POST", adresse, {"service": "Accueil"}).status_code == 422
    assert _etat() == avant
    cree = fabrique.appel_api(referent_a, "POST", adresse, entree)
    assert cree.status_code == 201
    systeme = SystemeIA.objects.get(pk=cree.json()["systeme"])
    assert systeme.organisation == org_a and systeme.stade == "idee"
    propre = fabrique.appel_api(referent_a, "POST", f"commune-a/bibliotheque/{partage_a.pk}/adopter", entree)
    assert propre.status_code == 409 and "votre organisation" in propre.json()["message"]
    assert fabrique.appel_api(admin_b, "GET", f"commune-a/bibliotheque/{cas.pk}").status_code == 404


# --- Sans compte --------------------------------------------------------------------------------------


def test_page_publique_sans_compte_et_sans_terme_inexplique(client, bibliotheque, partage_a, org_b, admin_b):
    cas = CasUsage.objects.get(identifiant="cannes_rapports_dsp")
    services.adopter(cas, org_b, admin_b, "Contrôle de gestion", "Chargée de mission")
    liste = client.get("/public/bibliotheque/?q=rapports")
    assert liste.status_code == 200 and "public" in liste["Cache-Control"]
    contenu = liste.content.decode()
    assert "Fiches de synthèse des rapports annuels" in contenu
    assert termes_sans_definition(contenu) == set()
    fiche = client.get(f"/public/bibliotheque/{cas.pk}/").content.decode()
    # L'adoption est comptée, l'organisation qui n'a pas partagé son résultat n'est pas nommée.
    assert "Repris par 1 organisation" in fiche and "Commune B" not in fiche
    assert termes_sans_definition(fiche) == set()
    assert (
        termes_sans_definition(client.get(f"/public/bibliotheque/{partage_a.pk}/").content.decode()) == set()
    )
    services.retirer(partage_a, Utilisateur.objects.get(email="referent-a@exemple.fr"), partage_a.version)
    assert client.get(f"/public/bibliotheque/{partage_a.pk}/").status_code == 404


# --- Démonstration --------------------------------------------------------------------------------------


def test_une_recherche_trop_large_est_plafonnee_et_rangee_par_date(
    client, bibliotheque, lecteur_a, monkeypatch
):
    monkeypatch.setattr(selectors, "PLAFOND", 5)
    criteres = selectors.Criteres(q="assistant")
    trouves = selectors.rechercher(criteres).count()
    assert trouves > 5
    cas, compte, tronque = selectors.parcourus(criteres)
    assert (compte, tronque) == (5, True)
    assert list(cas) == list(selectors.rechercher(criteres, classer=False))  # les plus récents d'abord
    client.force_login(lecteur_a)
    page = html.unescape(client.get("/o/commune-a/bibliotheque/?q=assistant").content.decode())
    assert "Plus de 5 cas d'usage pour « assistant »" in page and "précisez la recherche" in page
    api = fabrique.appel_api(lecteur_a, "GET", "commune-a/bibliotheque?q=assistant").json()
    assert api["count"] == 5 and len(api["items"]) == 5
    assert selectors.parcourus(selectors.Criteres(q="canalisations"))[1:] == (1, False)


def test_les_schemas_de_l_api_ne_remplacent_aucun_autre_dans_le_document_openapi():
    from balise.api.api import api

    schemas = api.get_openapi_schema()["components"]["schemas"]
    assert {"CasUsageSortie", "CasUsageDetailSortie", "MesureCasSortie", "AdoptionCasEntree"} <= set(schemas)
    assert "periode" in schemas["MesureSortie"]["properties"]  # celui des indicateurs, intact
