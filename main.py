"""Window Patrol entry point: no arguments opens the desktop app; sub-commands for scripted work."""

import sys

from app.cli import main

if __name__ == "__main__":
    sys.exit(main())
