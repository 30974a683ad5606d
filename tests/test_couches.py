"""Les couches restent à leur place : aucune écriture en base dans les vues ni dans l'administration.

Une vue vérifie les droits, lit le formulaire, appelle un service (écritures) ou un sélecteur
(lectures), puis rend ou redirige ; une page d'administration appelle les mêmes services. Ce test le
vérifie mécaniquement, par l'arbre syntaxique de chaque fichier, et par les crochets d'écriture de
chaque page d'administration enregistrée.
"""

import ast
from pathlib import Path

import pytest
from django.contrib import admin
from django.test import RequestFactory

from balise.comptes.models import Utilisateur

RACINE = Path(__file__).resolve().parent.parent / "balise"
FICHIERS = sorted(p for motif in ("**/views.py", "**/admin.py", "**/vues_*.py") for p in RACINE.glob(motif))

# Méthodes qui écrivent : sur un objet, un gestionnaire, un ensemble de requêtes, un formulaire de
# modèle, une relation (add/remove/clear/set), ou les crochets d'écriture de l'administration appelés
# sur super(). `.update(` d'un dictionnaire serait pris pour une écriture : on écrit `{**a, **b}`.
ECRITURES = frozenset(
    {
        "save",
        "delete",
        "create",
        "update",
        "bulk_create",
        "bulk_update",
        "get_or_create",
        "update_or_create",
        "create_user",
        "create_superuser",
        "add",
        "remove",
        "clear",
        "set",
        "raw",
        "execute",
        "save_model",
        "delete_model",
        "delete_queryset",
        "save_formset",
        "save_related",
    }
)

# Exceptions admises, chacune justifiée : {(fichier relatif à balise/, méthode): raison}.
EXCEPTIONS: dict[tuple[str, str], str] = {
    ("vues_generales.py", "execute"): "le « SELECT 1 » de la sonde /healthz, qui vérifie que la base répond",
}


def ecritures(source: str) -> list[tuple[int, str]]:
    """(ligne, méthode) de chaque appel d'écriture d'un texte Python."""
    return sorted(
        (noeud.lineno, noeud.func.attr)
        for noeud in ast.walk(ast.parse(source))
        if isinstance(noeud, ast.Call)
        and isinstance(noeud.func, ast.Attribute)
        and noeud.func.attr in ECRITURES
    )


def _ou_mettre(chemin: Path) -> str:
    app = chemin.parent.name if chemin.parent != RACINE else "<application>"
    return (
        f"placez-la dans une fonction de balise/{app}/services.py (transaction, auteur, règles du domaine), "
        "que la vue ou la page d'administration appelle"
    )


def test_aucune_ecriture_dans_les_vues_ni_l_administration():
    assert len(FICHIERS) >= 10, FICHIERS  # le motif trouve bien les fichiers
    fautes = [
        f"balise/{chemin.relative_to(RACINE)}:{ligne} : « .{methode}( » écrit en base ; {_ou_mettre(chemin)}."
        for chemin in FICHIERS
        for ligne, methode in ecritures(chemin.read_text())
        if (str(chemin.relative_to(RACINE)), methode) not in EXCEPTIONS
    ]
    assert not fautes, "\n".join(fautes)


@pytest.mark.parametrize(
    "ecrite",
    [
        "Adhesion.objects.create(utilisateur=u, organisation=o, role=r)",
        "Utilisateur.objects.create_user(email, mot_de_passe)",
        "form.save(commit=False)",
        "systeme.save(update_fields=['nom'])",
        "organisation.systemes.filter(publie=True).update(publie=False)",
        "evaluation.evaluateurs.add(personne)",
        "super().save_model(request, obj, form, change)",
        "Organisation.objects.filter(pk=1).delete()",
    ],
)
def test_le_test_voit_chaque_ecriture(ecrite):
    vue = f"def vue(request):\n    x = 1\n    {ecrite}\n    return x\n"
    assert [ligne for ligne, _ in ecritures(vue)] == [3]


def test_le_test_laisse_passer_les_lectures():
    vue = (
        "def vue(request):\n"
        "    a = Organisation.objects.filter(slug=s).select_related('x').first()\n"
        "    b = selectors.membres(a).annotate(n=Count('r'))\n"
        "    services.retirer_membre(b, request.user)\n"
        "    return render(request, 'p.html', {**contexte, 'a': a})\n"
    )
    assert ecritures(vue) == []


CROCHETS = {
    "has_add_permission": ["save_model"],
    "has_change_permission": ["save_model"],
    "has_delete_permission": ["delete_model", "delete_queryset"],
}


def test_chaque_page_d_administration_ecrit_par_ses_services():
    """Une page d'administration qui permet d'écrire remplace chaque crochet d'écriture de Django par
    le sien (qui appelle un service) ; sinon, elle est en lecture seule (balise.administration)."""
    requete = RequestFactory().get("/admin/")
    requete.user = Utilisateur(email="instance@exemple.fr", is_superuser=True, is_staff=True, is_active=True)
    fautes = []
    for modele, page in admin.site._registry.items():
        if not modele.__module__.startswith("balise."):
            continue
        crochets = list(
            dict.fromkeys(c for permis, cs in CROCHETS.items() if getattr(page, permis)(requete) for c in cs)
        )
        if page.inlines and page.has_change_permission(requete):
            crochets.append("save_formset")
        fautes += [
            f"{type(page).__name__}.{c} est celui de Django ({getattr(type(page), c).__module__}) : "
            f"appelez le service de {modele._meta.label} (ou mettez la page en lecture seule)"
            for c in crochets
            if not getattr(type(page), c).__module__.startswith("balise.")
        ]
    assert not fautes, "\n".join(fautes)
