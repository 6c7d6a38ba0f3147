"""Demo data: a realistic centre with a month of patrols (make_demo), or a district of five centres
(make_demo_district). Used by `main.py demo`, the first-run screen and the tests; above every other part."""
