"""What materialising the ontology's RDFS entailments costs (stedenbanden.entailment), next to
loading, on the shipped data and on synthetic data from ``kb generate``.

    python benchmarks/entailment.py                    # the shipped data
    python benchmarks/entailment.py synthetic.ttl      # the shipped data plus a file

Prints the load time, the time of each rule and the triples each adds, and peak memory.
"""

import resource
import sys
import time
from pathlib import Path

from stedenbanden import store
from stedenbanden.entailment import PREFIXES, RULES


def main(extra: list[str]) -> None:
    files = store.knowledge_base_files() + [Path(p) for p in extra]
    start = time.perf_counter()
    kb = store.load(files)
    loaded = time.perf_counter() - start
    print(f"load: {len(kb):,} triples in {loaded:.2f} s")
    total = 0.0
    for name, rule in RULES:
        before, start = len(kb), time.perf_counter()
        kb.update(PREFIXES + rule)
        took = time.perf_counter() - start
        total += took
        print(f"{name}: +{len(kb) - before:,} triples in {took:.2f} s")
    print(f"entailment: {total:.2f} s ({100 * total / loaded:.0f}% of loading); {len(kb):,} triples")
    print(f"peak memory: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main(sys.argv[1:])
