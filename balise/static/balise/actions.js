// Actions des pages connectées (pas de script en ligne : CSP). Sans JavaScript, tout fonctionne comme avant :
// les formulaires partent sans fenêtre de confirmation et le lien reste sélectionnable dans son champ.

// Actions destructives (formulaires marqués data-confirmer) : la fenêtre modale DSFR #confirmation demande
// confirmation ; « Annuler », Échap ou la croix ne changent rien.
(function () {
  var modale = document.getElementById("confirmation");
  if (!modale) {
    return;
  }
  var message = document.getElementById("confirmation-message");
  var oui = document.getElementById("confirmation-oui");
  var enAttente = null;

  function envoyer(form) {
    form.dataset.confirme = "1";
    form.submit();
  }

  document.querySelectorAll("form[data-confirmer]").forEach(function (form) {
    form.addEventListener("submit", function (evenement) {
      if (form.dataset.confirme === "1") {
        return;
      }
      evenement.preventDefault();
      if (typeof window.dsfr !== "function") {
        if (window.confirm(form.dataset.confirmer)) {
          envoyer(form);
        }
        return;
      }
      enAttente = form;
      message.textContent = form.dataset.confirmer;
      oui.textContent = form.dataset.confirmerBouton || "Confirmer";
      window.dsfr(modale).modal.disclose();
    });
  });

  oui.addEventListener("click", function () {
    if (enAttente === null) {
      return;
    }
    var form = enAttente;
    enAttente = null;
    window.dsfr(modale).modal.conceal();
    envoyer(form);
  });
})();

// Boutons « Copier » (data-copier = id du champ à copier) : cachés sans JavaScript, ils copient la valeur
// du champ et l'annoncent dans la zone data-copie-annonce qui les suit.
document.querySelectorAll("[data-copier]").forEach(function (bouton) {
  var champ = document.getElementById(bouton.dataset.copier);
  var annonce = document.getElementById(bouton.dataset.copierAnnonce);
  if (!champ || !navigator.clipboard) {
    return;
  }
  bouton.hidden = false;
  bouton.addEventListener("click", function () {
    navigator.clipboard.writeText(champ.value).then(
      function () {
        annonce.textContent = "Lien copié dans le presse-papiers.";
      },
      function () {
        champ.select();
        annonce.textContent = "Copie impossible : le lien est sélectionné, copiez-le avec Ctrl+C.";
      }
    );
  });
});
