"""tmtui benchmarks: the real app against the real reference server, with baselines.

Run ``python -m benchmarks`` (or ``--quick``); see ``benchmarks/README.md``.
"""
