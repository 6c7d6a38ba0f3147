"""Centres and their district: the centre in view, settings and rules, demo data."""
