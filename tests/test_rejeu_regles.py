"""Une qualification enregistrée se relit exactement comme elle a été donnée, même après une nouvelle
version des règles (issue 16).

`tests/donnees/rejeu-qualification-v1.json` a été écrit avec les règles v1 avant que la v2 n'existe :
pour chaque cas d'école v1, l'empreinte SHA-256 de la qualification complète (questions posées,
conclusions et obligations avec tous leurs champs non vides, échéances, motifs), et un résumé lisible
pour voir ce qui a bougé si l'empreinte change. Le rejeu doit redonner les mêmes octets : les champs
que les versions suivantes ajoutent au schéma ont une valeur par défaut qui ne s'écrit pas.
"""

import hashlib
import json
from datetime import date

import pytest

from balise.conformite import moteur, regles

QUALIFIEE_LE = date(2026, 11, 22)  # la date de mise à jour des règles v1
ATTENDU = json.loads(
    (regles.DOSSIER.parents[2] / "tests" / "donnees" / "rejeu-qualification-v1.json").read_text(
        encoding="utf-8"
    )
)


def empreinte_et_resume(r: regles.Regles, reponses: moteur.Reponses) -> dict:
    q = moteur.qualifier(r, reponses, QUALIFIEE_LE)

    def motifs(retenue: moteur.ConclusionRetenue | moteur.ObligationRetenue) -> list:
        return [[m.question.id, m.reponse] for m in retenue.motifs]

    complet = {
        "questions": [x.model_dump(mode="json", exclude_defaults=True) for x in q.questions],
        "conclusions": [
            [c.conclusion.model_dump(mode="json", exclude_defaults=True), motifs(c)] for c in q.conclusions
        ],
        "obligations": [
            [o.obligation.model_dump(mode="json", exclude_defaults=True), o.echeance.isoformat(), motifs(o)]
            for o in q.obligations
        ],
    }
    octets = json.dumps(complet, ensure_ascii=False, sort_keys=True).encode()
    return {
        "sha256": hashlib.sha256(octets).hexdigest(),
        "conclusions": [c.conclusion.id for c in q.conclusions],
        "obligations": {o.obligation.id: o.echeance.isoformat() for o in q.obligations},
    }


def test_chaque_cas_v1_est_dans_la_reference():
    assert sorted(ATTENDU) == sorted(c.nom for c in regles.version(1).cas)


@pytest.mark.parametrize("nom", sorted(ATTENDU))
def test_rejouer_une_qualification_v1_redonne_les_memes_octets(nom):
    v1 = regles.version(1)
    cas = next(c for c in v1.cas if c.nom == nom)
    assert empreinte_et_resume(v1, cas.reponses) == ATTENDU[nom]
