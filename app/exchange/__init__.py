"""Signed files between laptops, offices and the district: keys, set-up files, results packages, paper checks."""
