"""Setting up: a new centre with its settings, shipped checklists, default scheme and office key; a
district manager's new centre. Above every part it draws on."""
