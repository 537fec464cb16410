"""Test-wide settings."""

import os

# OpenBLAS's worker threads spin-wait; on a 2-core machine shared with other processes that
# turned a 1 s training test into 30 s. Tests check values, not speed: one thread is enough.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MPLBACKEND", "Agg")
