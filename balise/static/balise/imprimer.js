// Boutons « Imprimer » (attribut data-imprimer) : ouvrent la fenêtre d'impression du navigateur.
document.querySelectorAll("[data-imprimer]").forEach(function (bouton) {
  bouton.addEventListener("click", function () {
    window.print();
  });
});
