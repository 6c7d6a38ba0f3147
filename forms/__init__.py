"""The PyQt6 interface of Window Patrol: thin views over the core in app/."""
