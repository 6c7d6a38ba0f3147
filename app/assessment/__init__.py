"""The assessment around the patrol: conduct and praise registers, hand-entered votes, schemes that
combine them with the patrol scores, awards, and what a changed scheme would do."""
