"""Checklists and the patrol: drafts, item results, scores, photos, labels, notices."""
