"""The database and the disk: the handle, models, schema migrations, backups, faults."""
