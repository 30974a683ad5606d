"""Le programme (issue 14, point 5) : référentiel, étapes, feuille de route et retard, « À traiter »,
sensibilisation, veille, bilan, pages, API, cloisonnement entre organisations, saisies hostiles,
nombre de requêtes."""

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from balise import versions
from balise.gouvernance import a_traiter
from balise.programme import referentiel, selectors, services
from balise.programme.models import Action, EtatEtape, NoteVeille, Participants, Sensibilisation
from balise.programme.referentiel import ReferentielInvalide, lire
from tests import fabrique

JOUR = timedelta(days=1)
SEEDS = next(
    (
        p / "shared" / "seeds"
        for p in Path(__file__).resolve().parents[1:4]
        if (p / "shared" / "seeds").exists()
    ),
    Path("/nulle-part"),
)


def _aujourd_hui() -> date:
    return timezone.localdate()


def _action(org, par, **champs):
    donnees = {"intitule": "Cartographier les usages", "etape": "diagnostic", **champs}
    return services.creer_action(org, donnees, par)


def _etat_base():
    return (
        list(Action.objects.values_list("pk", "version", "intitule", "etat").order_by("pk")),
        list(EtatEtape.objects.values_list("pk", "version", "etat").order_by("pk")),
        Sensibilisation.objects.count(),
        NoteVeille.objects.count(),
    )


# --- Référentiel ------------------------------------------------------------------------------------


def test_le_referentiel_livre_a_les_cinq_etapes_de_la_graine_001():
    ref = referentiel.en_vigueur()
    assert [e.id for e in ref.etapes] == [
        "diagnostic",
        "acculturation",
        "cas_usage_strategie",
        "experimentation",
        "deploiement",
    ]
    assert {"cafe_ia", "webinaire", "atelier_pratique"} <= set(ref.format_par_id)
    assert ref.citer(ref.etapes[0].references) == ["seed 001:249"]


@pytest.mark.skipif(not SEEDS.exists(), reason="seeds absents de cette copie")
def test_chaque_etape_cite_la_ligne_de_son_titre():
    lignes = {p.name[:3]: p.read_text(encoding="utf-8").splitlines() for p in SEEDS.glob("00*.txt")}
    ref = referentiel.en_vigueur()
    for etape in ref.etapes:
        r = etape.references[0]
        assert etape.titre in lignes[r.source.removeprefix("seed_")][r.ligne - 1], etape.id
    for f in ref.formats:
        for r in f.references:
            assert lignes[r.source.removeprefix("seed_")][r.ligne - 1].strip(), (f.id, r)
    r = ref.mesure_appropriation.references[0]
    assert "appropriation" in lignes["000"][r.ligne - 1]


def _texte_modifie(modifier) -> str:
    donnees = yaml.safe_load((referentiel.DOSSIER / "programme-v1.yaml").read_text(encoding="utf-8"))
    modifier(donnees)
    return yaml.safe_dump(donnees, allow_unicode=True)


@pytest.mark.parametrize(
    ("modifier", "attendu"),
    [
        (lambda d: d["etapes"][1].update(id="diagnostic"), "étape « diagnostic » définie deux fois"),
        (lambda d: d["etapes"][0].update(numero=3), "numérotées 1, 2, 3"),
        (lambda d: d["formats"][0].update(references=[{"source": "inconnue"}]), "source inconnue"),
        (lambda d: d["etapes"][0].update(couleur="bleu"), "champ inconnu"),
        (lambda d: d["etapes"][0].update(references=[]), "trop court"),
    ],
)
def test_un_referentiel_incoherent_est_refuse_en_francais(modifier, attendu):
    with pytest.raises(ReferentielInvalide) as erreur:
        lire(_texte_modifie(modifier))
    assert attendu in str(erreur.value)


# --- Étapes -----------------------------------------------------------------------------------------


def test_etat_d_une_etape_versionne_et_historise(org_a, referent_a, admin_a):
    assert [e.etat for e in selectors.etapes(org_a)] == ["a_venir"] * 5
    services.changer_etape(org_a, "diagnostic", "faite", "Enquête menée.", 0, referent_a)
    ligne = services.changer_etape(
        org_a, "diagnostic", "faite", "Enquête menée auprès de 400 agents.", 1, admin_a
    )
    assert ligne.version == 2
    with pytest.raises(versions.ConflitEdition) as conflit:
        services.changer_etape(org_a, "diagnostic", "en_cours", "", 1, referent_a)
    assert conflit.value.auteurs == [admin_a.nom_affiche]
    with pytest.raises(versions.ConflitEdition):  # une seconde « première saisie »
        services.changer_etape(org_a, "acculturation", "en_cours", "", 1, referent_a)
    etapes = selectors.etapes(org_a)
    assert (etapes[0].etat, etapes[0].version) == ("faite", 2)
    assert [h.nature for h in versions.historique(ligne)] == ["Modification", "Création"]


def test_etape_inconnue_ou_etat_inconnu_refuses(org_a, referent_a):
    with pytest.raises(ValidationError, match="Étape inconnue"):
        services.changer_etape(org_a, "conquete", "faite", "", 0, referent_a)
    with pytest.raises(ValidationError, match="État inconnu"):
        services.changer_etape(org_a, "diagnostic", "parfaite", "", 0, referent_a)
    assert not EtatEtape.objects.exists()


# --- Actions et retard ------------------------------------------------------------------------------


def test_en_retard_est_calcule_a_la_date_donnee(org_a, referent_a):
    hier = _aujourd_hui() - JOUR
    retard = _action(org_a, referent_a, echeance=hier)
    _action(org_a, referent_a, intitule="Du jour", echeance=_aujourd_hui())
    faite = _action(org_a, referent_a, intitule="Faite", echeance=hier, etat="faite")
    _action(org_a, referent_a, intitule="Abandonnée", echeance=hier, etat="abandonnee")
    _action(org_a, referent_a, intitule="Sans échéance")
    en_retard = selectors.actions(org_a, _aujourd_hui(), en_retard=True)
    assert [a.pk for a in en_retard] == [retard.pk]
    # Le lendemain, l'action du jour est en retard sans qu'aucune écriture ait eu lieu.
    assert selectors.actions(org_a, _aujourd_hui() + JOUR, en_retard=True).count() == 2
    assert faite.faite_le == _aujourd_hui()


def test_modifier_une_action_sous_verrou_optimiste(org_a, referent_a, admin_a):
    action = _action(org_a, referent_a)
    services.modifier_action(org_a, action.pk, {"priorite": "haute", "budget": "1200.50"}, 1, admin_a)
    with pytest.raises(versions.ConflitEdition) as conflit:
        services.modifier_action(org_a, action.pk, {"etat": "faite"}, 1, referent_a)
    assert {c.champ for c in conflit.value.changements} == {"priorite", "budget"}
    with pytest.raises(versions.VersionAbsente):
        services.modifier_action(org_a, action.pk, {"etat": "faite"}, None, referent_a)
    action.refresh_from_db()
    assert (action.version, action.priorite, action.budget, action.etat) == (
        2,
        "haute",
        Decimal("1200.50"),
        "a_faire",
    )
    inchangee = services.modifier_action(org_a, action.pk, {"priorite": "haute"}, 2, admin_a)
    assert inchangee.version == 2  # rien ne change : rien n'est écrit


def test_le_responsable_est_une_personne_de_l_organisation(org_a, org_b, referent_a, admin_b):
    externe = fabrique.membre(org_a, "externe", "ext@exemple.fr")
    for personne in (admin_b, externe):
        with pytest.raises(ValidationError, match="personne de l'organisation"):
            _action(org_a, referent_a, responsable=personne)
    assert not Action.objects.exists()


@pytest.mark.parametrize(
    ("champs", "message"),
    [
        ({"intitule": "   "}, "Intitulé : ce champ est obligatoire"),
        ({"intitule": "x" * 301}, "300 caractères au plus"),
        ({"intitule": "a\x00b"}, "caractère nul"),
        ({"echeance": "2026-02-31"}, "date illisible"),
        ({"echeance": date(1900, 1, 1)}, "date invraisemblable"),
        ({"echeance": "20226-01-01"}, "date illisible"),
        ({"budget": "-3"}, "Budget : un nombre entre 0"),
        ({"budget": "NaN"}, "Budget : un nombre entre 0"),
        ({"budget": "1.234"}, "2 décimale(s) au plus"),
        ({"etp": True}, "ETP : un nombre est attendu"),
        ({"etape": "=cmd|' /C calc'!A0"}, "Étape inconnue"),
        ({"priorite": "urgentissime"}, "Priorité inconnue"),
        ({"moyens": "m" * 5000}, "4000 caractères au plus"),
    ],
)
def test_saisies_hostiles_d_une_action_refusees_sans_rien_changer(org_a, referent_a, champs, message):
    existante = _action(org_a, referent_a)
    avant = _etat_base()
    with pytest.raises(ValidationError, match=message.replace("(", r"\(").replace(")", r"\)")):
        _action(org_a, referent_a, **champs)
    with pytest.raises(ValidationError):
        services.modifier_action(org_a, existante.pk, champs, 1, referent_a)
    assert _etat_base() == avant


def test_une_formule_dans_un_intitule_est_gardee_comme_du_texte_et_echappee(client, org_a, referent_a):
    _action(org_a, referent_a, intitule='=HYPERLINK("http://x")<script>alert(1)</script>')
    client.force_login(referent_a)
    page = client.get(reverse("programme:accueil", args=[org_a.slug])).content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


# --- À traiter --------------------------------------------------------------------------------------


def test_les_actions_du_responsable_apparaissent_dans_a_traiter(org_a, referent_a, lecteur_a, admin_a):
    aujourd_hui = _aujourd_hui()
    retard = _action(org_a, admin_a, responsable=referent_a, echeance=aujourd_hui - JOUR)
    proche = _action(
        org_a, admin_a, intitule="Proche", responsable=referent_a, echeance=aujourd_hui + 10 * JOUR
    )
    _action(org_a, admin_a, intitule="Lointaine", responsable=referent_a, echeance=aujourd_hui + 90 * JOUR)
    _action(
        org_a, admin_a, intitule="Faite", responsable=referent_a, echeance=aujourd_hui - JOUR, etat="faite"
    )
    _action(org_a, admin_a, intitule="Sans date", responsable=referent_a)
    _action(org_a, admin_a, intitule="D'un autre", responsable=lecteur_a, echeance=aujourd_hui - JOUR)
    t = a_traiter.pour_personne(referent_a, org_a, "referent", aujourd_hui)
    assert [(a.pk, a.en_retard) for a in t.actions] == [(retard.pk, True), (proche.pk, False)]
    assert (t.nb_actions, t.nb_actions_en_retard, t.en_retard) == (2, 1, 1)
    assert not t.vide
    # Un membre externe n'y voit rien de l'organisation.
    assert a_traiter.pour_personne(referent_a, org_a, "externe", aujourd_hui).nb_actions == 0


def test_au_dela_de_la_limite_les_totaux_restent_exacts(org_a, referent_a, admin_a):
    for i in range(a_traiter.LIMITE + 5):
        _action(
            org_a,
            admin_a,
            intitule=f"Action {i:02}",
            responsable=referent_a,
            echeance=_aujourd_hui() - i * JOUR,
        )
    t = a_traiter.pour_personne(referent_a, org_a, "referent", _aujourd_hui())
    assert len(t.actions) == a_traiter.LIMITE
    assert (t.nb_actions, t.nb_actions_en_retard) == (a_traiter.LIMITE + 5, a_traiter.LIMITE + 4)
    assert t.actions[0].echeance == _aujourd_hui() - (a_traiter.LIMITE + 4) * JOUR


def test_la_page_a_traiter_montre_les_actions(client, org_a, referent_a, admin_a):
    _action(
        org_a,
        admin_a,
        intitule="Former les encadrants",
        responsable=referent_a,
        echeance=_aujourd_hui() - JOUR,
    )
    client.force_login(referent_a)
    page = client.get(reverse("gouvernance:a_traiter", args=[org_a.slug])).content.decode()
    assert "Former les encadrants" in page and "Mes actions du programme" in page


# --- Sensibilisation --------------------------------------------------------------------------------


def test_sensibilisation_participants_par_public_et_appropriation(org_a, referent_a):
    cafe = services.creer_sensibilisation(
        org_a,
        {
            "format": "cafe_ia",
            "intitule": "Café IA",
            "date": "2026-03-12",
            "mesure": "taux",
            "avant": "35",
            "apres": "62.5",
        },
        {"agents": 24, "encadrants": 3, "elus": 0},
        referent_a,
    )
    lue = selectors.sensibilisations(org_a).get(pk=cafe.pk)
    assert lue.total == 27 and [(p.public, p.nombre) for p in lue.par_public] == [
        ("agents", 24),
        ("encadrants", 3),
    ]
    assert (lue.avant, lue.apres) == (Decimal("35"), Decimal("62.5"))


SAISIES_HOSTILES_SENSIBILISATION = [
    ({"format": "bal_masque"}, {"agents": 3}, "Format inconnu"),
    ({}, {"agents": 0}, "au moins un public"),
    ({}, {"inconnus": 3}, "Public inconnu"),
    ({}, {"agents": -1}, "un entier entre 0"),
    ({}, {"agents": 10**7}, "un entier entre 0"),
    ({}, {"agents": "3"}, "un entier entre 0"),
    ({"mesure": "note", "avant": "11"}, {"agents": 3}, "entre 0 et 10"),
    ({"avant": "20"}, {"agents": 3}, "Choisissez la mesure"),
    ({"mesure": "taux"}, {"agents": 3}, "avant, après, ou les deux"),
    ({"date": "3000-01-01"}, {"agents": 3}, "invraisemblable"),
    ({"intitule": "x" * 301}, {"agents": 3}, "300 caractères au plus"),
    ({"intitule": "  "}, {"agents": 3}, "Intitulé : ce champ est obligatoire"),
]


@pytest.mark.parametrize(("donnees", "participants", "message"), SAISIES_HOSTILES_SENSIBILISATION)
def test_saisies_hostiles_de_sensibilisation(org_a, referent_a, donnees, participants, message):
    base = {"format": "webinaire", "intitule": "Webinaire", "date": "2026-03-12", **donnees}
    with pytest.raises(ValidationError, match=message):
        services.creer_sensibilisation(org_a, base, participants, referent_a)
    assert not Sensibilisation.objects.exists()


# --- Veille -----------------------------------------------------------------------------------------


def _note(org, par, **champs):
    donnees = {
        "date": "2026-02-02",
        "titre": "AI Act : obligations de maîtrise de l'IA",
        "resume": "Entrée en application de l'article 4.",
        "source": "https://eur-lex.europa.eu/eli/reg/2024/1689/oj",
        "etiquettes": "AI Act, Formation ; ai act",
        **champs,
    }
    return services.creer_note(org, donnees, par)


def test_note_de_veille_etiquettes_normalisees_et_filtre(org_a, referent_a):
    note = _note(org_a, referent_a)
    _note(org_a, referent_a, titre="Autre", etiquettes="CNIL")
    assert note.liste_etiquettes == ["ai act", "formation"]
    assert [n.pk for n in selectors.notes(org_a, "AI Act")] == [note.pk]
    assert selectors.notes(org_a, "act").count() == 0  # une étiquette entière, pas un morceau
    assert selectors.etiquettes(org_a) == ["ai act", "cnil", "formation"]


@pytest.mark.parametrize(
    "source",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "file:///etc/passwd",
        "ftp://exemple.fr/x",
        "https://",
        "exemple.fr/sans-schema",
        "",
    ],
)
def test_la_source_d_une_note_est_une_adresse_http_ou_https(org_a, referent_a, source):
    with pytest.raises(ValidationError, match="Source"):
        _note(org_a, referent_a, source=source)
    assert not NoteVeille.objects.exists()


def test_la_veille_est_lue_par_les_membres_et_pas_par_les_autres(
    client, org_a, org_b, referent_a, lecteur_a, admin_b
):
    _note(org_a, referent_a, titre="Note réservée à la commune A")
    adresse = reverse("programme:accueil", args=[org_a.slug])
    client.force_login(lecteur_a)
    assert "Note réservée à la commune A" in client.get(adresse).content.decode()
    client.force_login(admin_b)
    assert client.get(adresse).status_code == 404
    page_b = client.get(reverse("programme:accueil", args=[org_b.slug])).content.decode()
    assert "Note réservée à la commune A" not in page_b
    externe = fabrique.membre(org_a, "externe", "ext@exemple.fr")
    client.force_login(externe)
    assert client.get(adresse).status_code == 403
    assert fabrique.appel_api(admin_b, "GET", f"{org_a.slug}/programme/veille").status_code == 404
    reponse = fabrique.appel_api(lecteur_a, "GET", f"{org_a.slug}/programme/veille")
    assert [n["titre"] for n in reponse.json()] == ["Note réservée à la commune A"]


# --- Corriger et supprimer une sensibilisation ou une note de veille --------------------------------


def _cafe(org, par, participants=None, **champs):
    donnees = {"format": "cafe_ia", "intitule": "Café IA", "date": "2026-03-12", **champs}
    return services.creer_sensibilisation(org, donnees, participants or {"agents": 24, "encadrants": 3}, par)


def _saisies():
    """Tout ce que les corrections et suppressions peuvent changer, pour vérifier qu'un refus n'a rien
    changé."""
    return (
        list(
            Sensibilisation.objects.values_list(
                "pk", "version", "format", "intitule", "date", "mesure", "avant", "apres"
            ).order_by("pk")
        ),
        list(Participants.objects.values_list("pk", "sensibilisation_id", "public", "nombre").order_by("pk")),
        list(
            NoteVeille.objects.values_list(
                "pk", "version", "date", "titre", "resume", "source", "etiquettes", "auteur_id"
            ).order_by("pk")
        ),
        Sensibilisation.history.count() + Participants.history.count() + NoteVeille.history.count(),
    )


def test_corriger_une_sensibilisation_remplace_ses_participants_et_garde_l_historique(
    org_a, referent_a, admin_a
):
    cafe = _cafe(org_a, referent_a)
    corrige = services.modifier_sensibilisation(
        org_a,
        cafe.pk,
        {
            "format": "atelier_pratique",
            "intitule": "Atelier IA",
            "date": "2026-03-13",
            "mesure": "note",
            "apres": "7",
        },
        {"agents": 20, "elus": 2, "encadrants": 0},
        admin_a,
        1,
    )
    assert corrige.version == 2
    lue = Sensibilisation.objects.get()
    assert (lue.format, lue.intitule, lue.date, lue.mesure, lue.avant, lue.apres) == (
        "atelier_pratique",
        "Atelier IA",
        date(2026, 3, 13),
        "note",
        None,
        Decimal("7"),
    )
    assert sorted(lue.participants.values_list("public", "nombre")) == [("agents", 20), ("elus", 2)]
    # Les participants remplacés restent dans l'historique, leur suppression attribuée.
    supprimes = Participants.history.filter(history_type="-")
    assert sorted(supprimes.values_list("public", "nombre")) == [("agents", 24), ("encadrants", 3)]
    assert {h.history_user for h in supprimes} == {admin_a}
    derniere = versions.historique(lue)[0]
    assert (derniere.auteur, derniere.nature) == (admin_a.nom_affiche, "Modification")
    assert ("intitulé", "Café IA", "Atelier IA") in derniere.changements
    assert "agents : 24, encadrants : 3 → agents : 20, élus : 2" in derniere.motif
    # Sans changement, rien n'est écrit ; les seuls participants changés font une version.
    avant = _saisies()
    donnees = {
        "format": "atelier_pratique",
        "intitule": "Atelier IA",
        "date": "2026-03-13",
        "mesure": "note",
        "apres": 7,
    }
    services.modifier_sensibilisation(org_a, cafe.pk, donnees, {"elus": 2, "agents": 20}, admin_a, 2)
    assert _saisies() == avant
    services.modifier_sensibilisation(org_a, cafe.pk, donnees, {"elus": 3, "agents": 20}, admin_a, 2)
    assert Sensibilisation.objects.get().version == 3
    assert sorted(lue.participants.values_list("public", "nombre")) == [("agents", 20), ("elus", 3)]


def test_corriger_une_note_garde_son_auteur_et_attribue_la_correction(org_a, referent_a, admin_a):
    note = _note(org_a, referent_a)
    corrigee = services.modifier_note(
        org_a,
        note.pk,
        {
            "date": "2026-02-03",
            "titre": "AI Act : article 4",
            "resume": "Résumé corrigé.",
            "source": "https://artificialintelligenceact.eu/fr/article/4/",
            "etiquettes": "CNIL",
        },
        admin_a,
        1,
    )
    assert corrigee.version == 2
    lue = NoteVeille.objects.get()
    assert (lue.titre, lue.date, lue.liste_etiquettes, lue.auteur) == (
        "AI Act : article 4",
        date(2026, 2, 3),
        ["cnil"],
        referent_a,
    )
    derniere = versions.historique(lue)[0]
    assert (derniere.auteur, derniere.nature) == (admin_a.nom_affiche, "Modification")
    assert ("titre", "AI Act : obligations de maîtrise de l'IA", "AI Act : article 4") in derniere.changements
    # Sans changement (étiquettes saisies autrement), rien n'est écrit.
    avant = _saisies()
    services.modifier_note(
        org_a,
        note.pk,
        {
            "date": date(2026, 2, 3),
            "titre": " AI Act : article 4 ",
            "resume": "Résumé corrigé.",
            "source": "https://artificialintelligenceact.eu/fr/article/4/",
            "etiquettes": " Cnil ;",
        },
        admin_a,
        2,
    )
    assert _saisies() == avant


def test_une_version_perimee_ou_absente_ne_change_rien(org_a, referent_a, admin_a):
    cafe, note = _cafe(org_a, referent_a), _note(org_a, referent_a)
    donnees_cafe = {"format": "cafe_ia", "intitule": "Café IA d'avril", "date": "2026-04-02"}
    services.modifier_sensibilisation(org_a, cafe.pk, donnees_cafe, {"agents": 5}, admin_a, 1)
    donnees_note = {
        "date": "2026-02-02",
        "titre": "Titre corrigé",
        "resume": "R.",
        "source": "https://exemple.fr/note",
    }
    services.modifier_note(org_a, note.pk, donnees_note, admin_a, 1)
    avant = _saisies()
    with pytest.raises(versions.ConflitEdition) as conflit:
        services.modifier_sensibilisation(
            org_a, cafe.pk, {**donnees_cafe, "intitule": "Autre"}, {"agents": 9}, referent_a, 1
        )
    assert conflit.value.auteurs == [admin_a.nom_affiche]
    assert [c.libelle for c in conflit.value.changements] == ["date", "intitulé"]
    with pytest.raises(versions.ConflitEdition) as conflit:
        services.modifier_note(org_a, note.pk, {**donnees_note, "titre": "Autre"}, referent_a, 1)
    assert sorted(c.libelle for c in conflit.value.changements) == ["résumé", "source", "titre", "étiquettes"]
    for version in (None, True, "2"):
        with pytest.raises(versions.ConflitEdition):
            services.modifier_sensibilisation(
                org_a, cafe.pk, donnees_cafe, {"agents": 9}, referent_a, version
            )
        with pytest.raises(versions.ConflitEdition):
            services.modifier_note(org_a, note.pk, {**donnees_note, "titre": "Autre"}, referent_a, version)
    for version in (None, 1):
        with pytest.raises(versions.ConflitEdition):
            services.supprimer_sensibilisation(org_a, cafe.pk, version, referent_a)
        with pytest.raises(versions.ConflitEdition):
            services.supprimer_note(org_a, note.pk, version, referent_a)
    assert _saisies() == avant


@pytest.mark.parametrize(("donnees", "participants", "message"), SAISIES_HOSTILES_SENSIBILISATION)
def test_une_correction_hostile_de_sensibilisation_ne_change_rien(
    org_a, referent_a, donnees, participants, message
):
    """Les règles de la création valent pour la correction : chaque saisie refusée à la création l'est
    aussi à la correction, avec le même message."""
    cafe = _cafe(org_a, referent_a, mesure="taux", avant="30")
    avant = _saisies()
    base = {"format": "webinaire", "intitule": "Webinaire", "date": "2026-03-12", **donnees}
    with pytest.raises(ValidationError, match=message):
        services.modifier_sensibilisation(org_a, cafe.pk, base, participants, referent_a, 1)
    assert _saisies() == avant


@pytest.mark.parametrize(
    ("champs", "message"),
    [
        ({"source": "javascript:alert(1)"}, "Source : une adresse web"),
        ({"source": "data:text/html,<script>alert(1)</script>"}, "Source : une adresse web"),
        ({"source": "https://"}, "Source : cette adresse web n'est pas valide"),
        ({"resume": "r" * 8001}, "Résumé : 8000 caractères au plus"),
        ({"titre": "t" * 301}, "Titre : 300 caractères au plus"),
        ({"titre": ""}, "Titre : ce champ est obligatoire"),
        ({"etiquettes": ",".join(f"e{i}" for i in range(13))}, "Étiquettes : 12 au plus"),
        ({"date": "1789-07-14"}, "date invraisemblable"),
    ],
)
def test_une_correction_hostile_de_note_ne_change_rien(org_a, referent_a, champs, message):
    note = _note(org_a, referent_a)
    avant = _saisies()
    donnees = {
        "date": "2026-02-02",
        "titre": "Titre",
        "resume": "R.",
        "source": "https://exemple.fr/note",
        **champs,
    }
    with pytest.raises(ValidationError, match=message):
        services.modifier_note(org_a, note.pk, donnees, referent_a, 1)
    with pytest.raises(ValidationError, match=message):
        services.creer_note(org_a, donnees, referent_a)
    assert _saisies() == avant


def test_supprimer_une_sensibilisation_ou_une_note_est_attribue(org_a, org_b, referent_a, admin_a, admin_b):
    cafe, note = _cafe(org_a, referent_a), _note(org_a, referent_a)
    avant = _saisies()
    # Une autre organisation ne désigne pas ces objets, même avec la bonne version.
    with pytest.raises(Sensibilisation.DoesNotExist):
        services.supprimer_sensibilisation(org_b, cafe.pk, 1, admin_b)
    with pytest.raises(NoteVeille.DoesNotExist):
        services.supprimer_note(org_b, note.pk, 1, admin_b)
    assert _saisies() == avant
    services.supprimer_sensibilisation(org_a, cafe.pk, 1, admin_a)
    services.supprimer_note(org_a, note.pk, 1, admin_a)
    assert not Sensibilisation.objects.exists() and not Participants.objects.exists()
    assert not NoteVeille.objects.exists()
    for modele, nombre in ((Sensibilisation, 1), (Participants, 2), (NoteVeille, 1)):
        suppressions = modele.history.filter(history_type="-")
        assert suppressions.count() == nombre
        assert {h.history_user for h in suppressions} == {admin_a}
    assert NoteVeille.history.get(history_type="-").titre == note.titre


def _formulaire_cafe(**champs):
    return {
        "format": "cafe_ia",
        "intitule": "Café IA de mars",
        "date": "2026-03-12",
        "public_agents": "18",
        "version": "1",
        **champs,
    }


def _formulaire_note(**champs):
    return {
        "date": "2026-02-02",
        "titre": "AI Act",
        "resume": "Résumé.",
        "source": "https://exemple.fr/note",
        "etiquettes": "ai act, cnil",
        "version": "1",
        **champs,
    }


def test_pages_de_correction_et_de_suppression(client, org_a, referent_a, admin_a):
    cafe = _cafe(org_a, admin_a, intitule="Café IA de mars", mesure="taux", avant="35")
    note = _note(org_a, admin_a)
    client.force_login(referent_a)
    accueil = client.get(reverse("programme:accueil", args=[org_a.slug])).content.decode()
    page_cafe = reverse("programme:sensibilisation", args=[org_a.slug, cafe.pk])
    page_note = reverse("programme:note", args=[org_a.slug, note.pk])
    assert page_cafe in accueil and page_note in accueil
    # La page est préremplie, porte la version lue, l'historique et le bouton « Supprimer ».
    page = client.get(page_cafe).content.decode()
    for attendu in ('value="Café IA de mars"', 'value="1" id="id_version"', 'value="24"', 'value="35.0"'):
        assert attendu in page, attendu
    assert "Première saisie" in page and admin_a.nom_affiche in page and "Supprimer" in page
    page = client.get(page_note).content.decode()
    for attendu in ('value="ai act, formation"', 'value="1" id="id_version"', "Entrée en application"):
        assert attendu.replace("'", "&#x27;") in page, attendu
    assert "Supprimer la note de veille" in page
    # Enregistrer.
    assert client.post(page_cafe, _formulaire_cafe(public_elus="2")).status_code == 302
    assert sorted(Sensibilisation.objects.get().participants.values_list("public", "nombre")) == [
        ("agents", 18),
        ("elus", 2),
    ]
    # Sans mesure, les valeurs d'appropriation relevées avant ne restent pas.
    lue = Sensibilisation.objects.get()
    assert (lue.version, lue.mesure, lue.avant, lue.apres) == (2, "", None, None)
    assert client.post(page_note, _formulaire_note()).status_code == 302
    assert NoteVeille.objects.get().liste_etiquettes == ["ai act", "cnil"]
    page = client.get(page_cafe).content.decode()
    assert referent_a.nom_affiche in page and "élus : 2" in page
    # Une version périmée : 409, conflit montré, saisie gardée, rien de changé.
    avant = _saisies()
    perime = client.post(page_cafe, _formulaire_cafe(intitule="Café périmé"))
    assert perime.status_code == 409
    contenu = perime.content.decode()
    assert "Modification concurrente" in contenu and referent_a.nom_affiche in contenu
    # La saisie est gardée, le formulaire repart de la version actuelle.
    assert 'value="Café périmé"' in contenu and 'value="2" id="id_version"' in contenu
    perime = client.post(page_note, _formulaire_note(titre="Note périmée"))
    assert perime.status_code == 409 and "Modification concurrente" in perime.content.decode()
    assert client.post(page_note, _formulaire_note(version="")).status_code == 409
    # Des saisies hostiles : 400, message en français, rien de changé.
    for adresse, donnees, message in (
        (page_note, _formulaire_note(version="2", source="javascript:alert(1)"), "http"),
        (page_note, _formulaire_note(version="2", resume="r" * 9000), "8000"),
        (page_cafe, _formulaire_cafe(version="2", public_agents="-4"), "supérieure ou égale à 0"),
        (page_cafe, _formulaire_cafe(version="2", public_agents="0"), "au moins un public"),
        (page_cafe, _formulaire_cafe(version="2", intitule="i" * 400), "300"),
        (
            page_cafe,
            _formulaire_cafe(version="2", format="=cmd|' /C calc'!A0"),
            "Sélectionnez un choix valide",
        ),
    ):
        reponse = client.post(adresse, donnees)
        assert reponse.status_code == 400, donnees
        contenu = reponse.content.decode()
        assert message in contenu and "rien n'a été enregistré" in contenu, message
    assert _saisies() == avant
    # Une formule dans un titre reste du texte, échappé à l'affichage.
    formule = '=HYPERLINK("http://x")<script>alert(1)</script>'
    assert client.post(page_note, _formulaire_note(version="2", titre=formule)).status_code == 302
    assert NoteVeille.objects.get().titre == formule
    for adresse in (page_note, reverse("programme:accueil", args=[org_a.slug])):
        contenu = client.get(adresse).content.decode()
        assert "<script>alert(1)</script>" not in contenu and "&lt;script&gt;" in contenu
    # Supprimer : version périmée, rien de supprimé ; version lue, supprimé.
    suppression_cafe = reverse("programme:sensibilisation_suppression", args=[org_a.slug, cafe.pk])
    suppression_note = reverse("programme:note_suppression", args=[org_a.slug, note.pk])
    avant = _saisies()
    reponse = client.post(suppression_cafe, {"version": "1"}, follow=True)
    assert (
        reponse.redirect_chain[0][0] == page_cafe and "rien n&#x27;a été supprimé" in reponse.content.decode()
    )
    assert client.post(suppression_note, {}).status_code == 302
    assert client.get(suppression_note).status_code == 405
    assert _saisies() == avant
    assert client.post(suppression_cafe, {"version": "2"}).status_code == 302
    assert client.post(suppression_note, {"version": "3"}).status_code == 302
    assert not Sensibilisation.objects.exists() and not NoteVeille.objects.exists()
    assert client.get(page_cafe).status_code == 404


def test_correction_et_suppression_refusees_au_lecteur_et_a_une_autre_organisation(
    client, org_a, org_b, referent_a, lecteur_a, admin_b
):
    cafe, note = _cafe(org_a, referent_a), _note(org_a, referent_a)
    page_cafe = reverse("programme:sensibilisation", args=[org_a.slug, cafe.pk])
    page_note = reverse("programme:note", args=[org_a.slug, note.pk])
    suppressions = [
        reverse("programme:sensibilisation_suppression", args=[org_a.slug, cafe.pk]),
        reverse("programme:note_suppression", args=[org_a.slug, note.pk]),
    ]
    avant = _saisies()
    client.force_login(lecteur_a)
    accueil = client.get(reverse("programme:accueil", args=[org_a.slug])).content.decode()
    assert "Café IA" in accueil and page_cafe not in accueil and page_note not in accueil
    for personne, statut in ((lecteur_a, 403), (admin_b, 404)):
        client.force_login(personne)
        assert client.get(page_cafe).status_code == statut
        assert client.get(page_note).status_code == statut
        assert client.post(page_cafe, _formulaire_cafe(intitule="Piraté")).status_code == statut
        assert client.post(page_note, _formulaire_note(titre="Piraté")).status_code == statut
        for adresse in suppressions:
            assert client.post(adresse, {"version": "1"}).status_code == statut
    # Une autre organisation ne désigne pas ces objets depuis sa propre adresse non plus.
    client.force_login(admin_b)
    assert client.get(reverse("programme:sensibilisation", args=[org_b.slug, cafe.pk])).status_code == 404
    assert (
        client.post(reverse("programme:note", args=[org_b.slug, note.pk]), _formulaire_note()).status_code
        == 404
    )
    ailleurs = reverse("programme:note_suppression", args=[org_b.slug, note.pk])
    assert client.post(ailleurs, {"version": "1"}).status_code == 404
    assert _saisies() == avant


# --- Bilan ------------------------------------------------------------------------------------------


def test_bilan_d_une_periode(org_a, referent_a):
    debut, fin = date(2025, 1, 1), date(2025, 12, 31)
    services.changer_etape(org_a, "diagnostic", "faite", "", 0, referent_a)
    faite = _action(org_a, referent_a, echeance=date(2025, 6, 1))
    Action.objects.filter(pk=faite.pk).update(etat="faite", faite_le=date(2025, 5, 20))
    retard = _action(org_a, referent_a, intitule="En retard", echeance=date(2025, 9, 1))
    tard = _action(org_a, referent_a, intitule="Faite après la période", echeance=date(2025, 11, 1))
    Action.objects.filter(pk=tard.pk).update(etat="faite", faite_le=date(2026, 1, 15))
    _action(org_a, referent_a, intitule="Abandonnée", echeance=date(2025, 9, 1), etat="abandonnee")
    _action(org_a, referent_a, intitule="Hors période", echeance=date(2024, 9, 1))
    services.creer_sensibilisation(
        org_a,
        {"format": "cafe_ia", "intitule": "Café", "date": "2025-03-01"},
        {"agents": 20, "elus": 4},
        referent_a,
    )
    services.creer_sensibilisation(
        org_a, {"format": "cafe_ia", "intitule": "Café 2", "date": "2025-04-01"}, {"agents": 10}, referent_a
    )
    services.creer_sensibilisation(
        org_a, {"format": "webinaire", "intitule": "Avant", "date": "2024-04-01"}, {"agents": 99}, referent_a
    )
    _note(org_a, referent_a, date="2025-02-02")
    _note(org_a, referent_a, date="2026-02-02")
    with CaptureQueriesContext(connection) as requetes:
        b = selectors.bilan(org_a, debut, fin, aujourd_hui=date(2026, 6, 1))
    assert len(requetes) == 5
    assert b.etapes[0].etat == "faite"
    assert [a.pk for a in b.actions_faites] == [faite.pk]
    assert [a.pk for a in b.actions_en_retard] == [retard.pk, tard.pk]
    assert (b.nb_sensibilisations, b.participants) == (2, 34)
    assert b.participants_par_public == {"Agents": 30, "Élus": 4}
    assert b.nb_notes_veille == 1


def test_bilan_en_nombre_de_requetes_constant(org_a, referent_a):
    def compter():
        with CaptureQueriesContext(connection) as requetes:
            selectors.bilan(org_a, date(2020, 1, 1), date(2030, 12, 31))
        return len(requetes)

    vide = compter()
    for i in range(15):
        _action(org_a, referent_a, intitule=f"A{i}", echeance=date(2026, 1, 1) + i * JOUR)
        services.creer_sensibilisation(
            org_a,
            {"format": "cafe_ia", "intitule": f"C{i}", "date": "2025-03-01"},
            {"agents": 2, "elus": 1},
            referent_a,
        )
        _note(org_a, referent_a, titre=f"N{i}")
    assert compter() == vide


# --- Pages ------------------------------------------------------------------------------------------


def _requetes_page(client, adresse):
    with CaptureQueriesContext(connection) as requetes:
        assert client.get(adresse).status_code == 200
    return len(requetes)


def test_page_programme_en_requetes_constantes(client, org_a, referent_a):
    client.force_login(referent_a)
    adresse = reverse("programme:accueil", args=[org_a.slug])
    _action(org_a, referent_a, responsable=referent_a)
    services.creer_sensibilisation(
        org_a, {"format": "cafe_ia", "intitule": "C", "date": "2025-03-01"}, {"agents": 2}, referent_a
    )
    _note(org_a, referent_a)
    client.get(adresse)  # la session et l'adhésion lues une première fois (balise/generations.py)
    petit = _requetes_page(client, adresse)
    for i in range(12):
        autre = fabrique.membre(org_a, "lecteur", f"p{i}@exemple.fr")
        _action(org_a, referent_a, intitule=f"A{i}", responsable=autre, echeance=_aujourd_hui() - i * JOUR)
        services.creer_sensibilisation(
            org_a,
            {"format": "webinaire", "intitule": f"W{i}", "date": "2025-03-01"},
            {"agents": 2, "elus": 1},
            referent_a,
        )
        _note(org_a, referent_a, titre=f"N{i}", etiquettes=f"e{i}")
    assert _requetes_page(client, adresse) == petit
    assert (
        _requetes_page(client, adresse + "?etape=diagnostic&en_retard=1&etat=a_faire&etiquette=e3") == petit
    )


def test_parcours_des_pages_et_droits(client, org_a, referent_a, lecteur_a):
    client.force_login(referent_a)
    base = reverse("programme:accueil", args=[org_a.slug])
    page = client.get(base).content.decode()
    assert "Feuille de route" in page and "Ajouter une action" in page
    reponse = client.post(
        reverse("programme:action_nouvelle", args=[org_a.slug]),
        {
            "intitule": "Sonder les agents",
            "etape": "diagnostic",
            "priorite": "haute",
            "etat": "a_faire",
            "echeance": "2026-01-10",
            "responsable": referent_a.pk,
            "budget": "500",
            "etp": "0.5",
        },
    )
    assert reponse.status_code == 302
    action = Action.objects.get()
    assert (action.responsable, action.etp) == (referent_a, Decimal("0.5"))
    adresse_action = reverse("programme:action", args=[org_a.slug, action.pk])
    donnees = {
        "intitule": "Sonder les agents",
        "etape": "diagnostic",
        "priorite": "haute",
        "etat": "faite",
        "version": 1,
    }
    assert client.post(adresse_action, donnees).status_code == 302
    perime = client.post(adresse_action, {**donnees, "etat": "en_cours"})
    assert perime.status_code == 409 and "Modification concurrente" in perime.content.decode()
    reponse = client.post(
        reverse("programme:etape", args=[org_a.slug, "diagnostic"]), {"etat": "faite", "version": 0}
    )
    assert reponse.status_code == 302
    reponse = client.post(
        reverse("programme:sensibilisation_nouvelle", args=[org_a.slug]),
        {"format": "cafe_ia", "intitule": "Café IA de mars", "date": "2026-03-12", "public_agents": "18"},
    )
    assert reponse.status_code == 302
    reponse = client.post(
        reverse("programme:note_nouvelle", args=[org_a.slug]),
        {"date": "2026-03-01", "titre": "Note", "resume": "R", "source": "javascript:alert(1)"},
    )
    assert reponse.status_code == 400 and "http" in reponse.content.decode()
    # Le lecteur lit tout, n'écrit rien.
    client.force_login(lecteur_a)
    avant = _etat_base()
    page = client.get(base).content.decode()
    assert "Café IA de mars" in page and "Ajouter une action" not in page
    assert client.get(adresse_action).status_code == 200
    assert client.post(adresse_action, {**donnees, "version": 2}).status_code == 403
    assert client.get(reverse("programme:action_nouvelle", args=[org_a.slug])).status_code == 403
    assert _etat_base() == avant


def test_la_page_d_une_action_est_preremplie_avec_sa_version(client, org_a, referent_a):
    """Sans la version lue dans le formulaire, chaque enregistrement serait refusé comme périmé."""
    action = _action(org_a, referent_a, intitule="Intitulé témoin", etat="en_cours")
    client.force_login(referent_a)
    page = client.get(reverse("programme:action", args=[org_a.slug, action.pk])).content.decode()
    assert 'value="Intitulé témoin"' in page and 'value="1" id="id_version"' in page
    assert '<option value="en_cours" selected>' in page


def test_les_rubriques_ne_menent_qu_a_des_pages_existantes(client, org_a, referent_a):
    from balise.programme.vues_programme import RUBRIQUES

    client.force_login(referent_a)
    for r in RUBRIQUES:
        assert client.get(reverse(r.nom_url, args=[org_a.slug])).status_code == 200, r.titre


def test_le_menu_mene_au_programme(client, org_a, lecteur_a):
    client.force_login(lecteur_a)
    page = client.get(reverse("registre:liste", args=[org_a.slug])).content.decode()
    assert reverse("programme:accueil", args=[org_a.slug]) in page


# --- API --------------------------------------------------------------------------------------------


def test_api_actions_lecture_creation_modification_avec_version(org_a, referent_a, lecteur_a, admin_b):
    slug = org_a.slug
    corps = {
        "intitule": "Ouvrir un bac à sable",
        "etape": "experimentation",
        "priorite": "haute",
        "budget": "15000.00",
        "etp": 0.5,
        "echeance": "2026-06-30",
        "responsable_id": referent_a.pk,
    }
    reponse = fabrique.appel_api(referent_a, "POST", f"{slug}/programme/actions", corps)
    assert reponse.status_code == 201, reponse.content
    cree = reponse.json()
    assert (cree["version"], cree["responsable_nom"], cree["budget"]) == (
        1,
        referent_a.nom_affiche,
        "15000.00",
    )
    adresse = f"{slug}/programme/actions/{cree['id']}"
    assert (
        fabrique.appel_api(referent_a, "PATCH", adresse, {"version": 1, "etat": "en_cours"}).json()["version"]
        == 2
    )
    conflit = fabrique.appel_api(referent_a, "PATCH", adresse, {"version": 1, "etat": "faite"})
    assert conflit.status_code == 409 and conflit.json()["version_actuelle"] == 2
    assert fabrique.appel_api(lecteur_a, "PATCH", adresse, {"version": 2, "etat": "faite"}).status_code == 403
    assert fabrique.appel_api(admin_b, "GET", adresse).status_code == 404
    assert fabrique.appel_api(admin_b, "PATCH", adresse, {"version": 2, "etat": "faite"}).status_code == 404
    etranger = fabrique.appel_api(referent_a, "PATCH", adresse, {"version": 2, "responsable_id": admin_b.pk})
    assert etranger.status_code == 400
    assert (
        fabrique.appel_api(lecteur_a, "GET", f"{slug}/programme/actions?etat=en_cours").json()[0]["id"]
        == cree["id"]
    )
    assert Action.objects.get().version == 2


def test_api_etapes_sensibilisation_veille(org_a, referent_a):
    slug = org_a.slug
    etapes = fabrique.appel_api(referent_a, "GET", f"{slug}/programme/etapes").json()
    assert [e["version"] for e in etapes] == [0] * 5
    reponse = fabrique.appel_api(
        referent_a,
        "PATCH",
        f"{slug}/programme/etapes/diagnostic",
        {"etat": "faite", "commentaire": "", "version": 0},
    )
    assert reponse.status_code == 200 and reponse.json()["version"] == 1
    corps = {
        "format": "cafe_ia",
        "intitule": "Café",
        "date": "2026-03-12",
        "participants": [{"public": "agents", "nombre": 12}],
        "mesure": "note",
        "avant": 4,
        "apres": 7,
    }
    reponse = fabrique.appel_api(referent_a, "POST", f"{slug}/programme/sensibilisations", corps)
    assert reponse.status_code == 201 and reponse.json()["total"] == 12
    doublon = {
        **corps,
        "participants": [{"public": "agents", "nombre": 1}, {"public": "agents", "nombre": 2}],
    }
    assert (
        fabrique.appel_api(referent_a, "POST", f"{slug}/programme/sensibilisations", doublon).status_code
        == 400
    )
    note = {
        "date": "2026-03-01",
        "titre": "T",
        "resume": "R",
        "source": "javascript:alert(1)",
        "etiquettes": [],
    }
    assert fabrique.appel_api(referent_a, "POST", f"{slug}/programme/veille", note).status_code == 422
    note["source"] = "https://www.cnil.fr/fr/intelligence-artificielle"
    assert fabrique.appel_api(referent_a, "POST", f"{slug}/programme/veille", note).status_code == 201


@pytest.mark.parametrize(
    "champs",
    [
        {"etp": "abc"},
        {"etp": True},
        {"etp": 1.234},
        {"echeance": "1900-01-01"},
        {"intitule": "x" * 301},
        {"etape": "=cmd|' /C calc'!A0"},
    ],
)
def test_api_saisies_hostiles_refusees_sans_rien_ecrire(org_a, referent_a, champs):
    corps = {"intitule": "Action", "etape": "diagnostic", **champs}
    reponse = fabrique.appel_api(referent_a, "POST", f"{org_a.slug}/programme/actions", corps)
    assert reponse.status_code in (400, 422) and reponse.json()["message"]
    assert not Action.objects.exists()
