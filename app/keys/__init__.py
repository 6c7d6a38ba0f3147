"""Keys: this database's own Ed25519 key and whose signatures it accepts (no Qt, no app above storage)."""
