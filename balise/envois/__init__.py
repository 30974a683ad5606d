"""Un envoi de formulaire de création, un objet : le double clic, le retour arrière et le rechargement
qui renvoient le même formulaire ne créent rien de plus (voir services.py)."""
