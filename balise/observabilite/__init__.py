"""Ce que voient les exploitants : journaux structurés (une ligne JSON par requête et par travail de
fond) et métriques au format Prometheus (`/metriques`, réservée aux adresses ou au jeton configurés).
Voir docs/exploitation.md, « Journaux et métriques »."""
