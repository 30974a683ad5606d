"""Une requête d'un agent, de bout en bout : analyser ce qui partirait, décider (politique.py), envoyer
au fournisseur ce qui peut partir, remettre les valeurs dans la réponse, noter au journal.

Toute la conversation est analysée d'un seul passage du modèle français, messages joints par un
séparateur que rien ne reconnaît : une seule table de marques pour tous les messages (la même personne
garde la même marque d'un tour à l'autre), et le coût d'une seule analyse.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from balise.comptes.models import Utilisateur
from balise.passerelle import chiffrement, empreinte, fournisseurs, politique, usage
from balise.passerelle import donnees_personnelles as dp
from balise.passerelle.disponibles import modeles_disponibles
from balise.passerelle.models import Action, ContenuSensible, ModeleCatalogue, Profil, Reglages, Requete

SEPARATEUR = "\n\u241e\n"  # le symbole « séparateur d'enregistrements » : ni un nom, ni un numéro
LONGUEUR_MAX = 100_000  # caractères de toute la conversation : au-delà, refusée avant l'analyse


class RequeteInvalide(Exception):
    """Une requête qui ne peut pas même être analysée (vide, trop longue) : message pour l'agent."""


@dataclass(frozen=True)
class Preparation:
    """Ce qui partirait : les messages tels qu'envoyés, la décision et la table qui reste ici."""

    modele: ModeleCatalogue
    decision: politique.Decision
    trouvailles: tuple[dp.Trouvaille, ...]
    messages: tuple[dict[str, str], ...]  # tels que l'agent les a écrits
    envoyes: tuple[dict[str, str], ...]  # tels qu'ils partiraient
    table: dict[str, str] = field(default_factory=dict)
    analyse_ms: int = 0

    @property
    def part(self) -> bool:
        return self.decision.action != politique.REFUSER


def _catalogue(modele: ModeleCatalogue) -> list[politique.ModeleDisponible]:
    """Les autres modèles que l'agent peut choisir : ceux qu'un refus propose à la place."""
    autres = [m for m in modeles_disponibles(modele.organisation) if m.pk != modele.pk]
    return [politique.ModeleDisponible(m.libelle, frozenset(m.classes_permises)) for m in autres]


def preparer(modele: ModeleCatalogue, messages: Sequence[dict[str, str]], reglages: Reglages) -> Preparation:
    contenus = [m["content"] for m in messages]
    if not any(c.strip() for c in contenus):
        raise RequeteInvalide("Écrivez un message avant d'envoyer.")
    if any(SEPARATEUR.strip() in c for c in contenus):
        contenus = [c.replace(SEPARATEUR.strip(), " ") for c in contenus]
    texte = SEPARATEUR.join(contenus)
    if len(texte) > LONGUEUR_MAX:
        raise RequeteInvalide(
            f"La conversation dépasse {LONGUEUR_MAX:,} caractères : commencez-en une nouvelle.".replace(
                ",", " "
            )
        )
    debut = time.perf_counter()
    trouvailles = tuple(dp.analyser(texte, reglages.liste_termes))
    decision = politique.decider(trouvailles, modele.classes_permises)
    if decision.action == politique.REFUSER:  # les autres modèles ne servent qu'à dire où envoyer
        decision = politique.decider(trouvailles, modele.classes_permises, _catalogue(modele))
    envoye, table = texte, dict[str, str]()
    if decision.action == politique.PSEUDONYMISER:
        envoye, table = dp.pseudonymiser(texte, decision.a_pseudonymiser)
    analyse_ms = round((time.perf_counter() - debut) * 1000)
    parties = envoye.split(SEPARATEUR)
    if len(parties) != len(messages):  # une marque à cheval sur deux messages : ne rien envoyer de faux
        raise RequeteInvalide("Ce texte n'a pas pu être préparé pour l'envoi : reformulez-le.")
    envoyes = tuple({"role": m["role"], "content": p} for m, p in zip(messages, parties, strict=True))
    return Preparation(modele, decision, trouvailles, tuple(messages), envoyes, table, analyse_ms)


def _point(modele: ModeleCatalogue) -> fournisseurs.Point:
    f = modele.fournisseur
    cle = chiffrement.dechiffrer(f.cle_chiffree) if f.cle_chiffree else ""
    return fournisseurs.Point(url_base=f.url_base, cle=cle, delai_s=float(f.delai_s))


def _appel(prep: Preparation) -> tuple[fournisseurs.Point, str, list[dict[str, str]]]:
    """Où, à quel modèle et quoi envoyer : les messages tels qu'ils partent, jamais ceux de l'agent."""
    return _point(prep.modele), prep.modele.identifiant, list(prep.envoyes)


@dataclass
class Resultat:
    """Ce que l'agent lit : la réponse restaurée, ou le message qui dit pourquoi il n'y en a pas."""

    requete: Requete
    texte: str = ""
    message: str = ""


def _journal(
    prep: Preparation,
    personne: Utilisateur | None,
    canal: str,
    reglages: Reglages,
    *,
    action: str,
    jetons_entree: int = 0,
    jetons_sortie: int = 0,
    jetons_estimes: bool = False,
    latence_s: float | None = None,
    erreur: str = "",
) -> Requete:
    modele = prep.modele
    estime = None
    if latence_s is not None:
        estime = empreinte.estimer(
            modele=modele.ecologits_modele or modele.identifiant,
            fournisseur_ecologits=modele.ecologits_fournisseur or None,
            parametres_actifs_milliards=_flottant(modele.parametres_actifs_milliards),
            parametres_totaux_milliards=_flottant(modele.parametres_totaux_milliards),
            jetons_sortie=jetons_sortie,
            latence_s=latence_s,
            hebergement=modele.fournisseur.hebergement,
        )
    with transaction.atomic():
        requete = _noter(
            modele,
            personne,
            canal,
            action=action,
            classes=sorted(prep.decision.classes_trouvees),
            types=sorted({t.type for t in prep.trouvailles}),
            jetons_entree=jetons_entree,
            jetons_sortie=jetons_sortie,
            jetons_estimes=jetons_estimes,
            latence_ms=round(latence_s * 1000) if latence_s is not None else None,
            analyse_ms=prep.analyse_ms,
            erreur=erreur,
            cout_euros=empreinte.cout_euros(
                jetons_entree=jetons_entree,
                jetons_sortie=jetons_sortie,
                prix_entree_million=modele.prix_entree_million,
                prix_sortie_million=modele.prix_sortie_million,
            )
            if latence_s is not None
            else None,
            energie_wh=estime.energie_wh if estime else None,
            ges_gco2e=estime.ges_gco2e if estime else None,
            eau_l=estime.eau_l if estime else None,
        )
        if dp.SENSIBLE in prep.decision.classes_trouvees:
            # Seed 001 : « l'horodatage des prompts sensibles ». Le texte tel que l'agent l'a écrit.
            ContenuSensible.objects.create(
                requete=requete,
                chiffre=chiffrement.chiffrer(SEPARATEUR.join(m["content"] for m in prep.messages)),
                garder_jusqu_au=timezone.localdate() + timedelta(days=reglages.conservation_jours),
            )
    return requete


def _noter(modele: ModeleCatalogue, personne: Utilisateur | None, canal: str, **champs: Any) -> Requete:
    """Une ligne du journal (l'organisation, la personne et son service, le modèle, le canal, l'heure),
    ajoutée à son cumul du mois : à appeler dans la transaction de l'appelant (pas de point de reprise
    en plus, deux allers-retours de moins par requête)."""
    profil = Profil.objects.filter(organisation_id=modele.organisation_id, personne=personne)
    requete = Requete.objects.create(
        organisation_id=modele.organisation_id,
        personne=personne,
        service=profil.values_list("service", flat=True).first() or "",
        modele=modele,
        canal=canal,
        le=timezone.now(),
        **champs,
    )
    usage.cumuler(requete)
    return requete


def _flottant(valeur: Decimal | None) -> float | None:
    return float(valeur) if valeur is not None else None


def refuser_pour_quota(
    modele: ModeleCatalogue, personne: Utilisateur | None, canal: str, message: str
) -> Resultat:
    """Un quota atteint (quotas.py) : rien n'est analysé ni envoyé ; le refus est noté au journal."""
    with transaction.atomic():
        return Resultat(
            _noter(modele, personne, canal, action=Action.REFUSE, erreur="quota"), message=message
        )


def envoyer(prep: Preparation, personne: Utilisateur | None, canal: str, reglages: Reglages) -> Resultat:
    """La requête préparée, envoyée d'un coup (page de conversation, API sans flux)."""
    if not prep.part:
        requete = _journal(prep, personne, canal, reglages, action=Action.REFUSE)
        return Resultat(requete, message=prep.decision.message)
    try:
        reponse = fournisseurs.completer(*_appel(prep), max_tokens=prep.modele.jetons_max)
    except fournisseurs.ErreurFournisseur as erreur:
        requete = _journal(prep, personne, canal, reglages, action=Action.ERREUR, erreur=erreur.code)
        return Resultat(requete, message=erreur.message)
    requete = _journal(
        prep,
        personne,
        canal,
        reglages,
        action=prep.decision.action,
        jetons_entree=reponse.jetons_entree,
        jetons_sortie=reponse.jetons_sortie,
        jetons_estimes=reponse.jetons_estimes,
        latence_s=reponse.latence_s,
    )
    return Resultat(requete, texte=dp.restaurer(reponse.texte, prep.table), message=prep.decision.message)


# Une marque en cours d'arrivée en fin de morceau : « [PERS », « [PERSONNE_1 », « PERSONNE_ ».
_DEBUT_DE_MARQUE = re.compile(r"(\[[^\]\n]{0,40}|\b[A-Z][A-Z_]{2,24}_?\d*)$")


def diffuser(
    prep: Preparation, personne: Utilisateur | None, canal: str, reglages: Reglages
) -> Iterator[str]:
    """La réponse morceau par morceau, restaurée à mesure : une marque coupée entre deux morceaux est
    retenue jusqu'à ce qu'elle soit entière. Le journal est écrit quand le flux se termine, même
    interrompu. Lève ErreurFournisseur après les morceaux déjà rendus si le fournisseur échoue."""
    if not prep.part:
        raise ValueError("Une requête refusée ne se diffuse pas.")
    retenu = ""
    fin: fournisseurs.Fin | None = None
    erreur = ""
    debut = time.perf_counter()
    try:
        flux = fournisseurs.diffuser(*_appel(prep), max_tokens=prep.modele.jetons_max)
        for element in flux:
            if isinstance(element, fournisseurs.Fin):
                fin = element
                continue
            retenu += element.texte
            coupe = _DEBUT_DE_MARQUE.search(retenu)
            pret, retenu = (retenu[: coupe.start()], retenu[coupe.start() :]) if coupe else (retenu, "")
            if pret:
                yield dp.restaurer(pret, prep.table)
        if retenu:
            yield dp.restaurer(retenu, prep.table)
    except fournisseurs.ErreurFournisseur as e:
        erreur = e.code
        raise
    finally:
        _journal(
            prep,
            personne,
            canal,
            reglages,
            action=Action.ERREUR if erreur else prep.decision.action,
            jetons_entree=fin.jetons_entree if fin else 0,
            jetons_sortie=fin.jetons_sortie if fin else 0,
            jetons_estimes=bool(fin and fin.jetons_estimes),
            latence_s=fin.latence_s if fin else time.perf_counter() - debut,
            erreur=erreur or ("" if fin else "interrompu"),
        )
