"""Benchmarks of Window Patrol (python -m benchmarks); each figure comes with a raw baseline of the same run."""
