// Demander l'adhésion : propose, pendant la frappe, les collectivités du référentiel (recherche côté
// serveur, /adhesion/collectivites/). Chaque proposition est un lien vers la page de résultats où l'on
// choisit ; sans JavaScript, le bouton « Rechercher » mène à la même page.
(function () {
  "use strict";
  var champ = document.getElementById("q");
  var liste = document.getElementById("suggestions-collectivites");
  var annonce = document.getElementById("annonce-collectivites");
  if (!champ || !liste || !annonce) return;
  var attente = null;
  var derniere = "";

  function afficher(resultats) {
    liste.replaceChildren();
    resultats.forEach(function (r) {
      var item = document.createElement("li");
      var lien = document.createElement("a");
      lien.href = "?q=" + encodeURIComponent(r.libelle.replace(/ \([^)]*\)$/, ""));
      lien.textContent = r.libelle;
      item.appendChild(lien);
      liste.appendChild(item);
    });
    annonce.textContent = resultats.length
      ? resultats.length + (resultats.length > 1 ? " propositions" : " proposition") + " sous le champ de recherche."
      : "Aucune collectivité ne correspond.";
  }

  function proposer() {
    clearTimeout(attente);
    var texte = champ.value.trim();
    if (texte.length < 2) {
      liste.replaceChildren();
      annonce.textContent = "";
      return;
    }
    attente = setTimeout(function () {
      derniere = texte;
      fetch(champ.dataset.recherche + "?q=" + encodeURIComponent(texte), { headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { resultats: [] }; })
        .then(function (donnees) { if (texte === derniere) afficher(donnees.resultats); })
        .catch(function () { annonce.textContent = ""; });
    }, 300);
  }

  champ.addEventListener("input", proposer);
  // Sur une connexion lente, la personne a pu taper avant que ce script ne s'exécute (il est différé) :
  // ce qu'elle a tapé, différent de la valeur envoyée par le serveur, reçoit aussi ses propositions.
  if (champ.value !== champ.defaultValue) proposer();
})();
