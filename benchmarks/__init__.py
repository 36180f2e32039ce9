"""Speed and quality benchmarks: ``make bench`` runs them all (``python -m benchmarks``).

Each module defines ``main() -> None`` and prints our figure beside a reference's
figure measured in the same process (datasketch, warcio, trafilatura ...).
"""
