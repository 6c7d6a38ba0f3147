"""Window Patrol entry point: no arguments opens the desktop app; sub-commands for scripted work."""

import sys

from app.storage.drivers import skip_postgres_drivers, target_from_argv

if __name__ == "__main__":
    skip_postgres_drivers(target_from_argv(sys.argv[1:]))  # before anything imports peewee
    from cli import main

    sys.exit(main())
