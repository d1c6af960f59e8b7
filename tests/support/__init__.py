"""Test and benchmark support, never shipped in the wheel.

Import it as ``tests.support.<module>`` (the repository root is on ``sys.path``:
pytest's ``pythonpath``, ``python -m benchmarks`` run from the root, and the
screenshot script's own entry point). Nothing here is imported on package
import, so a benchmark child that needs one helper pays only for it.

* ``waiting``: wait until the screen, the store or any condition says so (the one helper).
* ``scenes``: reproducible scenes of the real app on the real server (snapshots, screenshots).
* ``mail``, ``sse``, ``wire``: build and deliver mail, read SSE, call the API over plain httpx.
* ``newsletter``: a deterministic HTML newsletter of any size (render tests, benchmarks).
"""
