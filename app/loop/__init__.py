"""Closing the loop: rectification items with deadlines in working days, and the calendar they count."""
