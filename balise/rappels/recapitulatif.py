"""Le courriel récapitulatif d'une personne : ce qui l'attend dans chacune de ses organisations.

Son contenu est celui de la page « À traiter » (`gouvernance.a_traiter.pour_personne`, la seule règle
de ce qui est dû et de ce que la personne peut voir), rendu en texte et en HTML simples, en français,
avec des liens absolus (`URL_PUBLIQUE`). Composé en Python plutôt que par gabarits : la tournée en
compose des dizaines de milliers, et le rendu de gabarits en serait le premier coût.

Chaque courriel porte le désabonnement en un clic : un lien signé, et les en-têtes `List-Unsubscribe`
et `List-Unsubscribe-Post` (RFC 8058) par lesquels un client de messagerie désabonne sans interaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any, TypeVar

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from balise.comptes.models import Utilisateur
from balise.conformite.models import ObligationSuivie
from balise.gouvernance.a_traiter import ATraiter, EvaluationACoter, SeanceAVenir
from balise.gouvernance.models import Condition
from balise.programme.models import Action
from balise.registre.models import SystemeIA

from .models import Frequence
from .selectors import adresse_absolue, adresse_desabonnement


@dataclass(frozen=True)
class Ligne:
    texte: str
    adresse: str
    alerte: bool = False  # en retard


@dataclass(frozen=True)
class Rubrique:
    titre: str
    lignes: list[Ligne]
    total: int
    adresse_tout: str  # la liste complète, quand toutes les lignes ne sont pas montrées


def _jour(d: date) -> str:
    return d.strftime("%d/%m/%Y")


@lru_cache(maxsize=2048)
def _chemin(nom: str, arguments: tuple[str, ...]) -> str:
    return reverse(nom, args=list(arguments))


def _url(nom: str, *arguments: str) -> str:
    return adresse_absolue(_chemin(nom, arguments))


# Une tournée construit des dizaines de milliers de liens vers quelques pages : chaque adresse est
# résolue une fois (par organisation), celle d'une page d'objet avec un identifiant témoin remplacé
# ensuite. Les chemins seuls sont gardés : l'adresse de l'instance est ajoutée à chaque lien.
_TEMOIN = 987654321


@lru_cache(maxsize=2048)
def _gabarit(nom: str, slug: str) -> str:
    return reverse(nom, args=[slug, _TEMOIN])


def _url_objet(nom: str, slug: str, pk: int) -> str:
    return adresse_absolue(_gabarit(nom, slug).replace(str(_TEMOIN), str(pk)))


def _page_a_traiter(slug: str) -> str:
    return _url("gouvernance:a_traiter", slug)


T = TypeVar("T")


def _rubrique(
    titre: str, elements: Iterable[T], total: int, ligne: Callable[[T], Ligne], tout: str
) -> Rubrique | None:
    lignes = [ligne(e) for e in elements]
    return Rubrique(titre, lignes, total, tout) if total else None


def rubriques(a: ATraiter) -> list[Rubrique]:
    slug = a.organisation.slug
    page = _page_a_traiter(slug)

    def obligation(o: ObligationSuivie) -> Ligne:
        retard = bool(getattr(o, "en_retard", False))  # annotation de `avec_retard`
        etat = "en retard depuis le" if retard else "échéance le"
        return Ligne(
            f"{o.titre} — {o.systeme.nom} ({etat} {_jour(o.echeance)})",
            _url_objet("conformite:obligation", slug, o.pk),
            retard,
        )

    def condition(c: Condition) -> Ligne:
        retard = bool(getattr(c, "en_retard", False))
        etat = "en retard depuis le" if retard else "échéance le"
        return Ligne(
            f"{c.intitule} — {c.systeme.nom} ({etat} {_jour(c.echeance)})",
            _url_objet("registre:detail", slug, c.systeme_id),
            retard,
        )

    def evaluation(e: EvaluationACoter) -> Ligne:
        return Ligne(
            f"{e.evaluation.systeme.nom} — {e.cotes} item(s) coté(s) sur {e.items}",
            _url_objet("instruments:coter", slug, e.evaluation.pk),
        )

    def seance(s: SeanceAVenir) -> Ligne:
        quand = timezone.localtime(s.seance.debut).strftime("%d/%m/%Y à %H:%M")
        lire = f", {len(s.dossiers)} dossier(s) à lire" if s.dossiers else ""
        return Ligne(f"{s.seance.instance.nom} — le {quand}{lire}", page)

    def systeme(s: SystemeIA) -> Ligne:
        return Ligne(s.nom, _url_objet("registre:detail", slug, s.pk))

    def mesure(s: Any) -> Ligne:
        i = s.indicateur
        if s.etat.due:
            quand = "en retard depuis le" if s.etat.en_retard else "à saisir avant le"
            texte = f"{i.intitule} — mesure {quand} {_jour(s.etat.echeance)}"
        else:
            texte = f"{i.intitule} — dernière mesure hors cible"
        return Ligne(texte, _url_objet("indicateurs:fiche", slug, i.pk), s.etat.en_retard)

    def action(x: Action) -> Ligne:
        retard = bool(getattr(x, "en_retard", False))
        etat = "en retard depuis le" if retard else "échéance le"
        return Ligne(
            f"{x.intitule} ({etat} {_jour(x.echeance) if x.echeance else '—'})",
            _url_objet("programme:action", slug, x.pk),
            retard,
        )

    liste_obligations = _url("conformite:obligations", slug)
    candidates = [
        _rubrique(
            _avec_retard("Obligations", a.nb_obligations, a.nb_obligations_en_retard),
            a.obligations,
            a.nb_obligations,
            obligation,
            liste_obligations,
        ),
        _rubrique(
            _avec_retard("Conditions à lever", a.nb_conditions, a.nb_conditions_en_retard),
            a.conditions,
            a.nb_conditions,
            condition,
            page,
        ),
        _rubrique("Évaluations à coter", a.evaluations, len(a.evaluations), evaluation, page),
        _rubrique("Séances à venir", a.seances, len(a.seances), seance, page),
        _rubrique(
            "Systèmes en attente de décision",
            a.decisions_attendues,
            a.nb_decisions_attendues,
            systeme,
            page,
        ),
        _rubrique("Systèmes à requalifier", a.a_requalifier, a.nb_a_requalifier, systeme, page),
        _rubrique(
            _avec_retard("Indicateurs à mesurer ou hors cible", a.nb_mesures, a.nb_mesures_en_retard),
            a.mesures,
            a.nb_mesures,
            mesure,
            page,
        ),
        _rubrique(
            _avec_retard("Actions du programme", a.nb_actions, a.nb_actions_en_retard),
            a.actions,
            a.nb_actions,
            action,
            page,
        ),
    ]
    return [r for r in candidates if r is not None]


def _avec_retard(titre: str, total: int, retard: int) -> str:
    return f"{titre} ({total}, dont {retard} en retard)" if retard else f"{titre} ({total})"


def elements(a: ATraiter) -> int:
    return (
        a.nb_obligations
        + a.nb_conditions
        + len(a.evaluations)
        + len(a.seances)
        + a.nb_decisions_attendues
        + a.nb_a_requalifier
        + a.nb_mesures
        + a.nb_actions
    )


_FREQUENCES: dict[str, str] = {Frequence.QUOTIDIENNE: "chaque jour", Frequence.HEBDOMADAIRE: "chaque semaine"}


def composer(
    utilisateur: Utilisateur, a_traiter: list[ATraiter], frequence: str, aujourd_hui: date
) -> tuple[EmailMultiAlternatives | None, int]:
    """Le courriel de la personne et son nombre d'éléments ; (None, 0) si rien n'est dû."""
    sections = [(a, rubriques(a)) for a in a_traiter if not a.vide]
    sections = [(a, r) for a, r in sections if r]
    if not sections:
        return None, 0
    total = sum(elements(a) for a, _ in sections)
    retard = sum(a.en_retard for a, _ in sections)
    sujet = f"Balise : {total} élément{'s' if total > 1 else ''} à traiter"
    if retard:
        sujet += f", dont {retard} en retard"
    desabonnement = adresse_desabonnement(utilisateur.pk)
    compte = _url("comptes:compte")
    quand = _FREQUENCES.get(frequence, "chaque semaine")

    texte = [
        f"Bonjour {utilisateur.nom_affiche},",
        "",
        f"Voici ce qui vous attend dans Balise au {_jour(aujourd_hui)}.",
    ]
    html = [
        "<!DOCTYPE html>",
        '<html lang="fr"><head><meta charset="utf-8"><title>' + escape(sujet) + "</title></head><body>",
        f"<p>Bonjour {escape(utilisateur.nom_affiche)},</p>",
        f"<p>Voici ce qui vous attend dans Balise au {_jour(aujourd_hui)}.</p>",
    ]
    for a, rubs in sections:
        nom = a.organisation.nom
        texte += ["", nom, "=" * min(len(nom), 70)]
        html.append(f"<h2>{escape(nom)}</h2>")
        for r in rubs:
            texte += ["", f"{r.titre} :"]
            html.append(f"<h3>{escape(r.titre)}</h3><ul>")
            for ligne in r.lignes:
                marque = "EN RETARD — " if ligne.alerte else ""
                texte += [f"- {marque}{ligne.texte}", f"  {ligne.adresse}"]
                fort = "<strong>En retard</strong> — " if ligne.alerte else ""
                html.append(f'<li>{fort}<a href="{escape(ligne.adresse)}">{escape(ligne.texte)}</a></li>')
            html.append("</ul>")
            if r.total > len(r.lignes):
                autres = r.total - len(r.lignes)
                texte.append(f"… et {autres} autre(s) : {r.adresse_tout}")
                html.append(f'<p><a href="{escape(r.adresse_tout)}">… et {autres} autre(s)</a></p>')
    pied = (
        f"Vous recevez ce récapitulatif {quand}, et seulement quand quelque chose vous attend. "
        "Changer de fréquence : "
    )
    texte += ["", "--", f"{pied}{compte}", f"Ne plus le recevoir (un clic) : {desabonnement}"]
    html += [
        "<hr>",
        f'<p>{escape(pied)}<a href="{escape(compte)}">Mon compte</a>. '
        f'<a href="{escape(desabonnement)}">Ne plus recevoir ce récapitulatif</a>.</p>',
        "</body></html>",
    ]
    message = EmailMultiAlternatives(
        sujet,
        "\n".join(texte) + "\n",
        settings.DEFAULT_FROM_EMAIL,
        [utilisateur.email],
        headers={
            "List-Unsubscribe": f"<{desabonnement}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative("\n".join(html), "text/html")
    return message, total
