"""Le glossaire : son fichier et son schéma, le repérage des termes, les définitions en contexte, la page
publique ; et la règle des pages publiques : aucun terme du glossaire sans sa définition, ni dans le
texte des gabarits ni dans les données affichées (libellés des référentiels, principes des chartes)."""

import itertools
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import timezone

from balise.chartes import jeux
from balise.chartes import services as chartes
from balise.glossaire.glossaire import GlossaireInvalide, en_vigueur, lire
from balise.glossaire.templatetags.glossaire import definir_texte
from balise.gouvernance import services_avis
from balise.instruments.dossier import html as dossier_html
from balise.registre import services
from balise.registre.cycle_de_vie import Stade
from balise.registre.referentiels import Domaine, Hebergement, Realisation, TypeIA
from tests import fabrique
from tests import gouvernance_fabrique as gf

GABARITS = Path(settings.BASE_DIR) / "balise" / "templates"
_NUMEROS = itertools.count(1)


def definir(texte: str) -> str:
    return definir_texte(texte, lambda t: f"t-{next(_NUMEROS)}-{t.id}")


# Les gabarits des pages que voit un habitant sans compte ; leurs inclusions sont suivies.
GABARITS_PUBLICS = [
    "accueil.html",
    "public/registre.html",
    "public/_registre_contenu.html",  # rendu à part et gardé en cache
    "public/fiche.html",
    "public/schema.html",
    "chartes/public.html",
    "instruments/participer.html",
    "instruments/questionnaire.html",
    "instruments/questionnaire_code.html",
    "instruments/questionnaire_merci.html",
    "instruments/questionnaire_clos.html",
    "instruments/questionnaire_limite.html",
]


# --- Le contrôle lui-même : ce qu'un habitant lit sans définition ---------------------------------


class _TexteDuContenu(HTMLParser):
    """Le texte lu dans <main>, hors des définitions posées (`data-terme`), et les termes définis."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pile: list[tuple[str, bool]] = []
        self.dans_main = 0
        self.textes: list[str] = []
        self.definis: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributs = dict(attrs)
        if tag == "main":
            self.dans_main += 1
        defini = "data-terme" in attributs
        if defini:
            self.definis.add(attributs["data-terme"] or "")
        if tag not in ("br", "img", "input", "meta", "link", "hr"):
            self.pile.append((tag, defini))

    def handle_endtag(self, tag: str) -> None:
        while self.pile:
            ouvert, _ = self.pile.pop()
            if ouvert == tag:
                break
        if tag == "main":
            self.dans_main -= 1

    def handle_data(self, data: str) -> None:
        if self.dans_main and not any(defini for _, defini in self.pile):
            self.textes.append(data)


def termes_sans_definition(html: str) -> set[str]:
    """Les termes du glossaire écrits dans le contenu d'une page sans qu'aucune de leurs écritures n'y
    soit définie."""
    lecteur = _TexteDuContenu()
    lecteur.feed(html)
    ecrits = {t.id for _, _, t in en_vigueur().reperer(" ".join(lecteur.textes))}
    return ecrits - lecteur.definis


_TERME = re.compile(r"""\{%\s*terme\s+["']([^"']+)["']""")
_BALISES = re.compile(
    r"\{#.*?#\}|\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}|\{%.*?%\}|\{\{.*?\}\}|<[^>]*>", re.S
)
_INCLUSION = re.compile(r"""\{%\s*include\s+["']([^"']+)["']""")


def termes_sans_definition_du_gabarit(source: str) -> set[str]:
    """Dans le texte écrit d'un gabarit (hors balises, variables, commentaires), les termes du glossaire
    qui n'y sont jamais posés par `{% terme %}`."""
    glossaire = en_vigueur()
    poses = {glossaire.terme(e).id for e in _TERME.findall(source)}
    ecrits = {t.id for _, _, t in glossaire.reperer(_BALISES.sub(" ", source))}
    return ecrits - poses


def _gabarits_publics() -> list[str]:
    vus: list[str] = []
    a_lire = list(GABARITS_PUBLICS)
    while a_lire:
        nom = a_lire.pop()
        if nom not in vus:
            vus.append(nom)
            a_lire += _INCLUSION.findall((GABARITS / nom).read_text(encoding="utf-8"))
    return sorted(vus)


def test_le_controle_echoue_sur_un_terme_sans_definition():
    assert termes_sans_definition("<main><p>Un POC sur l'IA discriminante.</p></main>") == {
        "poc",
        "ia_discriminante",
    }
    assert termes_sans_definition(f"<main><p>{definir('Un POC sur le RAG.')}</p></main>") == set()
    # Hors du contenu (en-tête, pied de page), rien n'est exigé ; une fois défini, un terme peut revenir.
    assert termes_sans_definition("<footer>Documentation de l'API</footer>") == set()
    assert termes_sans_definition(f"<main><h2>Le RAG</h2><p>{definir('RAG')}</p></main>") == set()
    assert termes_sans_definition_du_gabarit("<p>Données ouvertes : {{ x }}</p>") == {"donnees_ouvertes"}
    assert termes_sans_definition_du_gabarit('<p>{% terme "Données ouvertes" %}</p>{# POC #}') == set()
    assert termes_sans_definition_du_gabarit('<a title="RGPD">{{ s.rgpd }}</a>') == set()


@pytest.mark.parametrize("nom", _gabarits_publics())
def test_gabarit_public_sans_terme_inexplique(nom):
    source = (GABARITS / nom).read_text(encoding="utf-8")
    assert not termes_sans_definition_du_gabarit(source), f"{nom} : terme(s) sans définition"


@pytest.mark.parametrize(
    "choix", [TypeIA, Stade, Domaine, Hebergement, Realisation], ids=lambda c: c.__name__
)
def test_libelles_affiches_au_public_definis_par_le_filtre(choix):
    for _, libelle in choix.choices:
        assert termes_sans_definition(f"<main>{definir(libelle)}</main>") == set(), libelle


def test_les_libelles_publics_qui_portent_un_terme_sont_reperes():
    # Les libellés qu'un habitant a mal lus : « IA discriminante », « POC ».
    assert "ia_discriminante" in {t.id for _, _, t in en_vigueur().reperer(TypeIA.DISCRIMINANTE.label)}
    assert "poc" in {t.id for _, _, t in en_vigueur().reperer(Stade.EXPERIMENTATION.label)}


# --- Les pages publiques rendues, avec des données qui emploient chaque terme ---------------------


def _tous_les_termes() -> str:
    return " ; ".join(t.terme for t in en_vigueur().termes)


@pytest.fixture
def publie(org_a, admin_a):
    texte = f"Texte qui emploie chaque terme : {_tous_les_termes()}."
    systeme = fabrique.systeme(
        org_a,
        admin_a,
        nom="Tri des courriers",
        type_ia="discriminante",
        finalite=texte,
        contribution_decision=texte,
        donnees=texte,
        regles_traitement=texte,
        supervision_humaine=texte,
        modeles="LLM hébergé en France",
        decision_individuelle=True,
    )
    services.changer_stade(systeme.pk, "etude", "", admin_a, 1)
    services.changer_stade(systeme.pk, "experimentation", "", admin_a, 2, justification="Essai.")
    services.publier(systeme.pk, True, admin_a, 3)
    # Les principes livrés (données affichées sur la charte publique), un par titre.
    titres: dict[str, str] = {}
    for j in jeux.tous():
        for p in j.principes:
            titres.setdefault(p.titre.casefold(), f"{j.identifiant}/{p.id}")
    principes = list(titres.values())[: chartes.NOMBRE_MAX]
    donnees = {"titre": "Charte", "principes": principes, "perimetre": texte, "engagements": [texte]}
    seance = gf.seance(gf.instance(org_a, "Comité social"), gf.dans(7), admin_a)
    charte = chartes.composer(org_a, donnees | {"lignes_rouges": [texte]}, admin_a)
    point = chartes.soumettre(charte.pk, seance.pk, 1, admin_a)
    services_avis.rendre_avis(point, {"sens": "favorable", "motifs": "Claire."}, [], admin_a)
    chartes.adopter(charte.pk, "deliberation", timezone.localdate(), 2, admin_a, deliberation_numero="D-1")
    return org_a, systeme


def test_pages_publiques_rendues_sans_terme_inexplique(client, publie):
    org, systeme = publie
    for adresse in [
        "/",
        f"/public/{org.slug}/",
        f"/public/{org.slug}/systemes/{systeme.uid}/",
        f"/public/{org.slug}/charte/",
        "/public/schema/",
        "/participer/",
    ]:
        reponse = client.get(adresse)
        assert reponse.status_code == 200, adresse
        html = reponse.content.decode()
        assert termes_sans_definition(html) == set(), adresse
    fiche = client.get(f"/public/{org.slug}/systemes/{systeme.uid}/").content.decode()
    # Chaque terme employé par la fiche y est défini, « IA discriminante » comme l'inverse de générative.
    assert set(en_vigueur().par_id) - {"api", "secret_statistique"} <= set(
        re.findall(r'data-terme="(\w+)"', fiche)
    )
    assert 'href="/glossaire/#ia_discriminante"' in fiche


# --- La page du glossaire -----------------------------------------------------------------------


def test_page_du_glossaire_publique_et_liee(client, publie, admin_a):
    org, _ = publie
    reponse = client.get("/glossaire/")
    assert reponse.status_code == 200 and "public" in reponse["Cache-Control"]
    html = reponse.content.decode()
    for terme in en_vigueur().termes:
        assert f'id="{terme.id}"' in html
    assert "C&#x27;est l&#x27;inverse d&#x27;une IA générative" in html
    assert "Les cahiers de l&#x27;Observatoire n° 4" in html and "seed 004" not in html
    assert 'href="/glossaire/"' in client.get(f"/public/{org.slug}/").content.decode()
    assert 'href="/glossaire/"' in client.get("/public/schema/").content.decode()  # le pied de page
    client.force_login(admin_a)  # l'en-tête porte alors le nom de la personne : rien de partagé
    assert "private" in client.get("/glossaire/")["Cache-Control"]


# --- Le fichier et son schéma --------------------------------------------------------------------


def test_glossaire_livre_contient_les_termes_attendus():
    glossaire = en_vigueur()
    attendus = {
        "ia_discriminante",
        "ia_generative",
        "poc",
        "rag",
        "aidf",
        "aipd",
        "dpo",
        "rssi",
        "crpa",
        "ria",
        "haut_risque",
        "fournisseur",
        "deployeur",
        "donnees_ouvertes",
        "llm",
        "saas",
        "hebergement",
        "pseudonymisation",
        "algorithme_public",
        "cnil",
        "cada",
        "copil",
        "deliberation",
    }
    assert attendus <= set(glossaire.par_id)
    discriminante = glossaire.par_id["ia_discriminante"].definition
    assert "discrimination" in discriminante and "générative" in discriminante
    assert glossaire.citer(glossaire.par_id["aidf"]) == [
        "Règlement (UE) 2024/1689 sur l'intelligence artificielle (AI Act, RIA), art. 27",
        "Observatoire Data Publica — « IA & territoires : après la découverte, le temps des premiers choix » "
        "(Les cahiers de l'Observatoire n° 4)",
    ]


_MINIMAL = """version: 1
mise_a_jour: 2026-12-04
sources: {seed_004: {titre: Étude}, ria: {titre: Règlement}}
termes:
"""


@pytest.mark.parametrize(
    ("termes", "message"),
    [
        (
            "  - {id: a, terme: RAG, definition: x}\n  - {id: a, terme: POC, definition: y}\n",
            "terme « a » défini deux fois",
        ),
        (
            "  - {id: a, terme: RAG, definition: x}\n  - {id: b, terme: POC, variantes: [rag], definition: y}\n",
            "« rag » s'écrit dans « a » et dans « b »",
        ),
        (
            "  - {id: a, terme: RAG, definition: x, references: [{source: inconnue}]}\n",
            "« a » : source inconnue « inconnue »",
        ),
        (
            "  - {id: a, terme: RAG, definition: x, references: [{source: ria, ligne: 3}]}\n",
            "une ligne se cite dans un fichier de seed",
        ),
        ("  - {id: A, terme: RAG, definition: x}\n", "termes.0.id : identifiant invalide"),
        ("  - {id: a, terme: RAG}\n", "termes.0.definition : champ obligatoire absent"),
    ],
)
def test_schema_refuse_en_francais(termes, message):
    with pytest.raises(GlossaireInvalide) as refus:
        lire(_MINIMAL + termes)
    assert message in str(refus.value)


def test_reperer_respecte_les_sigles_et_les_mots():
    glossaire = en_vigueur()

    def ids(texte: str) -> list[str]:
        return [t.id for _, _, t in glossaire.reperer(texte)]

    assert ids("le rag et la ria") == []  # des mots courants, pas les sigles
    assert ids("Le RAG, l'Hébergement, des fournisseurs") == ["rag", "hebergement", "fournisseur"]
    assert ids("un système à haut risque") == ["haut_risque"]
    assert ids("APIs ou RGPD-compatible") == []  # pas au milieu d'un mot


def test_definir_echappe_et_ne_definit_qu_une_fois():
    html = definir("<b>POC</b> puis POC & RAG")
    assert html.startswith('&lt;b&gt;<span class="balise-terme" data-terme="poc">')
    assert html.count('data-terme="poc"') == 1 and html.count('data-terme="rag"') == 1
    assert "&amp;" in html and "<b>" not in html
    ident = re.search(r'aria-describedby="([^"]+)"', html)
    assert ident and f'id="{ident.group(1)}"' in html


def test_identifiants_uniques_et_stables_d_un_rendu_a_l_autre():
    gabarit = Template(
        '{% load glossaire %}{% terme "POC" %}{% for x in textes %}{% definir x %}{% endfor %}'
    )
    contexte = {"textes": ["Un POC", "Un POC"]}
    rendu = gabarit.render(Context(contexte))
    identifiants = re.findall(r' id="([^"]+)"', rendu)
    assert len(identifiants) == 3 and len(set(identifiants)) == 3
    assert gabarit.render(Context(contexte)) == rendu
    assert (
        Template("{% load glossaire %}{% definir x %}").render(
            Context({"x": "POC", "sans_definitions": True})
        )
        == "POC"
    )


def test_balise_terme_et_terme_inconnu():
    rendu = Template('{% load glossaire %}{% terme "poc" "preuve de concept" %}').render(Context())
    assert 'data-terme="poc"' in rendu and ">preuve de concept</a>" in rendu
    with pytest.raises(LookupError, match="Terme absent du glossaire"):
        Template('{% load glossaire %}{% terme "inconnu" %}').render(Context())


def test_fiche_privee_definit_ses_termes_et_le_dossier_pdf_non(client, org_a, referent_a, systeme_a):
    client.force_login(referent_a)
    page = client.get(f"/o/{org_a.slug}/registre/{systeme_a.pk}/").content.decode()
    for ident in ("ia_generative", "hebergement", "donnees_personnelles", "decision_individuelle"):
        assert f'data-terme="{ident}"' in page
    dossier = dossier_html(systeme_a)
    assert "Hébergement" in dossier and "fr-tooltip" not in dossier and "data-terme" not in dossier
