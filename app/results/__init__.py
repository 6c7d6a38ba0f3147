"""What the finalised inspections add up to: probation, rankings, reports, dashboard, pay, re-grading."""
