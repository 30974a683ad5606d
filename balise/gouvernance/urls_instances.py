"""Adresses de la gouvernance : instances (rempli par son lot)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
