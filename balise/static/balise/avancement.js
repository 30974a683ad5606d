/*
 * Avancement d'un travail de fond (lecture ou traitement d'un tableau des effectifs).
 *
 * La page fonctionne sans ce script : son bouton « Actualiser » la recharge. Avec lui, l'adresse JSON
 * de la page (data-url) est lue chaque seconde : la barre, le pourcentage et l'étape se mettent à jour
 * sans recharger, et l'étape n'est annoncée (zone aria-live) que lorsqu'elle change. Quand le travail
 * n'est plus actif (fini, échoué, annulé), la page (data-page) est rechargée : elle mène à l'étape
 * suivante ou explique l'échec. Aucun script en ligne : la politique de sécurité du contenu l'interdit.
 */
(function () {
  "use strict";
  var zone = document.getElementById("avancement");
  if (!zone || !zone.dataset.url || !window.fetch) {
    return;
  }
  var barre = document.getElementById("avancement-barre");
  var pourcentage = document.getElementById("avancement-pourcentage");
  var etape = document.getElementById("avancement-etape");
  var echecs = 0;

  function appliquer(etat) {
    if (!etat.actif) {
      window.location.assign(zone.dataset.page);
      return false;
    }
    if (etat.avancement === null) {
      barre.removeAttribute("value");
      barre.textContent = "";
      pourcentage.textContent = "durée inconnue";
    } else {
      barre.value = etat.avancement;
      barre.textContent = etat.avancement + " %";
      pourcentage.textContent = etat.avancement + " %";
    }
    if (etape.textContent !== etat.etape) {
      etape.textContent = etat.etape;
    }
    return true;
  }

  function interroger() {
    window
      .fetch(zone.dataset.url, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (reponse) {
        if (!reponse.ok) {
          throw new Error("HTTP " + reponse.status);
        }
        return reponse.json();
      })
      .then(function (etat) {
        echecs = 0;
        if (appliquer(etat)) {
          window.setTimeout(interroger, 1000);
        }
      })
      .catch(function () {
        // Serveur momentanément injoignable : on réessaie de plus en plus rarement (30 s au plus).
        echecs += 1;
        window.setTimeout(interroger, Math.min(30000, 1000 * Math.pow(2, echecs)));
      });
  }

  window.setTimeout(interroger, 1000);
})();
