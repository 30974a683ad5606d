"""Le guide des instruments (quel instrument pour quel moment), le formulaire d'ouverture d'une évaluation
qui n'offre que les moments de chaque instrument, et l'auteur d'une évaluation qui en devient évaluateur."""

import re

import pytest
import yaml
from django.contrib.messages import get_messages
from django.utils.html import escape

from balise.instruments import guide as guide_instruments
from balise.instruments import services
from balise.instruments.definition import LIBELLES_MOMENTS, definitions_livrees
from balise.instruments.models import DefinitionInstrument, Evaluateur, Evaluation
from balise.instruments.services import Saisie
from tests import fabrique

SEEDS = "/work/shared/seeds"


def _national(code: str) -> DefinitionInstrument:
    return DefinitionInstrument.objects.get(organisation=None, code=code)


def _url(org, chemin: str) -> str:
    return f"/o/{org.slug}/{chemin}"


def _texte_guide() -> str:
    return max(guide_instruments.DOSSIER.glob("guide-v*.yaml")).read_text(encoding="utf-8")


# --- Les données du guide ------------------------------------------------------------------------------


def test_le_guide_livre_dit_les_memes_moments_que_les_definitions():
    guide_instruments.verifier_guide_livre()
    guide = guide_instruments.guide()
    livrees = {d.id: d for d in definitions_livrees()}
    assert {u.code for u in guide.instruments} == set(livrees)
    for usage in guide.instruments:
        assert set(usage.usages) == set(livrees[usage.code].moments), usage.code


def test_le_guide_cite_des_passages_qui_existent():
    """Chaque source « fichier:lignes » désigne des lignes des seeds (quand elles sont présentes)."""
    import os

    if not os.path.isdir(SEEDS):
        pytest.skip("seeds absentes de cette machine")
    for usage in guide_instruments.guide().instruments:
        fichier, lignes = usage.source.split(":")
        debut, _, fin = lignes.partition("-")
        with open(f"{SEEDS}/{fichier}", encoding="utf-8") as f:
            total = sum(1 for _ in f)
        assert 1 <= int(debut) <= int(fin or debut) <= total, usage.source


@pytest.mark.parametrize(
    ("changement", "message"),
    [
        (lambda g: g["instruments"].append({**g["instruments"][0]}), "deux fois"),
        (lambda g: g["moments"].pop("bilan"), "chaque moment"),
        (lambda g: g["instruments"][0].update(source="seed 002"), "fichier:lignes"),
        (lambda g: g["instruments"][0].update(source="002_97176ee3a60ad1d8.txt:571-569"), "à l'envers"),
        (lambda g: g["instruments"][0]["usages"].update(apres="?"), "valeur non prévue"),
        (lambda g: g["instruments"][0].update(avis="?"), "champ inconnu"),
    ],
)
def test_un_guide_mal_forme_est_refuse_en_francais(changement, message):
    donnees = yaml.safe_load(_texte_guide())
    changement(donnees)
    with pytest.raises(guide_instruments.GuideInvalide) as exc:
        guide_instruments.valider(yaml.safe_dump(donnees, allow_unicode=True))
    assert message in " ".join(exc.value.erreurs)


def test_un_guide_en_desaccord_avec_les_definitions_est_signale():
    donnees = yaml.safe_load(_texte_guide())
    radar = next(u for u in donnees["instruments"] if u["code"] == "radar-decision")
    radar["usages"]["bilan"] = "Le radar au bilan : la définition ne le prévoit pas."
    donnees["instruments"] = [u for u in donnees["instruments"] if u["code"] != "matrice-inet"]
    donnees["instruments"].append({**radar, "code": "inconnu"})
    guide = guide_instruments.valider(yaml.safe_dump(donnees, allow_unicode=True))
    erreurs = guide_instruments.verifier_definitions(guide, definitions_livrees())
    assert any("radar-decision" in e and "exactement ses moments" in e for e in erreurs)
    assert any("instrument inconnu « inconnu »" in e for e in erreurs)
    assert any("« matrice-inet » n'est pas dans le guide" in e for e in erreurs)


# --- La page du guide ----------------------------------------------------------------------------------


def test_la_page_du_guide_range_les_instruments_par_moment_avec_leurs_sources(
    client, org_a, systeme_a, referent_a
):
    lecteur = fabrique.membre(org_a, "lecteur", "lecteur-guide@exemple.fr")
    client.force_login(lecteur)
    reponse = client.get(_url(org_a, "instruments/guide/"))
    assert reponse.status_code == 200
    page = reponse.content.decode()
    for libelle in LIBELLES_MOMENTS.values():
        assert escape(libelle) in page
    # Le radar sert en amont, le girouet aussi au bilan ; le radar n'a pas de bilan.
    bilan = page.split('id="moment-bilan"')[1]
    assert (
        escape(_national("girouet").titre) in bilan and escape(_national("radar-decision").titre) not in bilan
    )
    assert "seed 004, lignes 447-451" in page and "seed 001, lignes 864-868" in page
    assert f'href="/o/{org_a.slug}/instruments/{_national("radar-decision").pk}/"' in page
    # Le guide est proposé là où l'on choisit : le catalogue et le formulaire d'ouverture.
    client.force_login(referent_a)
    for chemin in ("instruments/", f"registre/{systeme_a.pk}/evaluations/"):
        assert (
            f'href="/o/{org_a.slug}/instruments/guide/"' in client.get(_url(org_a, chemin)).content.decode()
        )


# --- Le formulaire d'ouverture -------------------------------------------------------------------------


def _options(page: str) -> dict[str, list[str]]:
    """Les couples offerts par le choix « instrument et moment » : titre de groupe → valeurs."""
    select = re.search(r'<select name="evaluation-choix".*?</select>', page, re.S)
    assert select
    groupes = re.findall(r'<optgroup label="([^"]*)">(.*?)</optgroup>', select.group(0), re.S)
    return {titre: re.findall(r'value="([^"]+)"', corps) for titre, corps in groupes}


def test_le_formulaire_n_offre_que_les_moments_de_chaque_instrument(client, org_a, systeme_a, referent_a):
    client.force_login(referent_a)
    page = client.get(_url(org_a, f"registre/{systeme_a.pk}/evaluations/")).content.decode()
    offerts = _options(page)
    courants = DefinitionInstrument.objects.filter(organisation=None)
    radar = _national("radar-decision")
    for instrument in courants.exclude(code="checklist-agents", version=1):
        titre = escape(f"{instrument.titre} (v{instrument.version})")
        attendus = [f"{instrument.pk}:{m}" for m in instrument.definition.moments]
        assert offerts[titre] == attendus
    assert f"{radar.pk}:bilan" not in page


def test_un_couple_instrument_moment_non_prevu_est_refuse_sans_rien_ecrire(
    client, org_a, systeme_a, referent_a
):
    client.force_login(referent_a)
    radar = _national("radar-decision")
    nouvelle = _url(org_a, f"registre/{systeme_a.pk}/evaluations/nouvelle/")
    reponse = client.post(nouvelle, {"evaluation-choix": f"{radar.pk}:bilan", "evaluation-profil": "agent"})
    assert reponse.status_code == 302
    textes = [str(m) for m in get_messages(reponse.wsgi_request)]
    assert any("ne prévoit pas ce moment" in t for t in textes), textes
    # Sans profil : rien non plus.
    client.post(nouvelle, {"evaluation-choix": f"{radar.pk}:amont"})
    assert not Evaluation.objects.exists() and not Evaluateur.objects.exists()


def test_ouvrir_une_evaluation_fait_de_son_auteur_un_evaluateur(client, org_a, systeme_a, referent_a):
    client.force_login(referent_a)
    radar = _national("radar-decision")
    reponse = client.post(
        _url(org_a, f"registre/{systeme_a.pk}/evaluations/nouvelle/"),
        {"evaluation-choix": f"{radar.pk}:preparation", "evaluation-profil": "numerique"},
    )
    evaluation = Evaluation.objects.get()
    assert reponse["Location"].endswith(f"/evaluations/{evaluation.pk}/")
    assert (evaluation.instrument, evaluation.moment) == (radar, "preparation")
    (evaluateur,) = evaluation.evaluateurs.all()
    assert (evaluateur.utilisateur, evaluateur.profil, evaluateur.invite_par) == (
        referent_a,
        "numerique",
        referent_a,
    )
    assert evaluateur.history.get().history_user == referent_a  # attribué, historisé
    # Elle peut coter aussitôt, sans s'inviter elle-même.
    services.coter(evaluation, referent_a, {"utilite_interne": Saisie(3)})
    page = client.get(_url(org_a, f"registre/{systeme_a.pk}/evaluations/")).content.decode()
    assert "<td>1</td>" in page  # un évaluateur


def test_le_service_refuse_un_moment_ou_un_profil_inconnus(systeme_a, referent_a):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="moment n'est pas prévu"):
        services.demarrer_evaluation(systeme_a, _national("matrice-inet"), "bilan", referent_a, "agent")
    with pytest.raises(ValidationError, match="profil"):
        services.demarrer_evaluation(systeme_a, _national("girouet"), "amont", referent_a, "chef")
    assert not Evaluation.objects.exists()


def test_reevaluer_n_offre_et_n_accepte_que_les_moments_de_l_instrument(client, org_a, systeme_a, referent_a):
    matrice = services.demarrer_evaluation(systeme_a, _national("radar-decision"), "amont", referent_a)
    services.coter(matrice, referent_a, {"utilite_interne": Saisie(2)})
    services.finaliser(matrice, referent_a)
    client.force_login(referent_a)
    page = client.get(_url(org_a, f"evaluations/{matrice.pk}/")).content.decode()
    select = re.search(r'<select name="moment".*?</select>', page, re.S).group(0)
    assert re.findall(r'value="([^"]+)"', select) == ["amont", "preparation", "avant_production"]
    reponse = client.post(_url(org_a, f"evaluations/{matrice.pk}/reevaluation/"), {"moment": "bilan"})
    assert any("parmi ceux de l'instrument" in str(m) for m in get_messages(reponse.wsgi_request))
    assert Evaluation.objects.count() == 1


def test_le_questionnaire_aux_agents_n_offre_que_ses_moments(client, org_a, systeme_a, referent_a):
    client.force_login(referent_a)
    page = client.get(_url(org_a, f"registre/{systeme_a.pk}/evaluations/")).content.decode()
    select = re.search(r'<select name="consultation-moment".*?</select>', page, re.S).group(0)
    assert re.findall(r'value="([^"]+)"', select) == ["preparation", "bilan"]
    questionnaire = _national("questionnaire-experimentation")
    reponse = client.post(
        _url(org_a, f"registre/{systeme_a.pk}/consultations/nouvelle/"),
        {
            "consultation-instrument": questionnaire.pk,
            "consultation-moment": "amont",
            "consultation-mode": "codes",
        },
    )
    assert any("ne prévoit pas ce moment" in str(m) for m in get_messages(reponse.wsgi_request))
    assert not questionnaire.consultations.exists()
