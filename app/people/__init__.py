"""Windows, staff and accounts: the roster as kept, imported and matched; sign-in and roles."""
