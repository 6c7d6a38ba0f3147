"""Window Patrol core: storage, checklists, scoring, probation and rankings (no Qt here)."""
