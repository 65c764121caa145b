"""What tests/test_seed_independence.py spends, claim by claim.

Runs every registered claim at two seeds (default 0 and 1), one worker process per seed, as
the test's first phase does, and prints per claim the CPU seconds at each seed and whether
its verdict JSON is identical at both (a claim that is does not read the seed, and the test
runs it at no further seed).  The CPU seconds, not the wall seconds, are what an idle
machine would spend.

    python benchmarks/bench_seed_independence.py [--seeds 0 1] [--json FILE]
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SHARED_LADDER = ("zgj.thm4", "contrast.pl", "zgj.lemma8", "zgj.lemma14")


def _timed_verdicts(seed: int, claim_ids: tuple) -> dict:
    from proofs_check.registry import get_claim

    out = {}
    for cid in claim_ids:
        wall, cpu = time.perf_counter(), time.process_time()
        verdict = get_claim(cid).check(seed=seed)
        out[cid] = {"status": verdict.status,
                    "json": json.dumps(verdict.to_json(), sort_keys=True, default=str),
                    "wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu}
        print(f"seed {seed}: {cid} {out[cid]['cpu']:.1f} CPU s ({out[cid]['wall']:.1f} s wall), {verdict.status}",
              file=sys.stderr, flush=True)  # as it goes: a loaded machine takes long
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs=2, default=(0, 1))
    parser.add_argument("--json", help="write the numbers to this file")
    args = parser.parse_args(argv)
    from proofs_check.registry import all_claims

    ids = list(all_claims())
    ids = tuple([c for c in SHARED_LADDER if c in ids] + [c for c in ids if c not in SHARED_LADDER])
    with ProcessPoolExecutor(max_workers=2) as pool:
        a, b = (pool.submit(_timed_verdicts, seed, ids) for seed in args.seeds)
        a, b = a.result(), b.result()
    rows = sorted(ids, key=lambda c: -(a[c]["cpu"] + b[c]["cpu"]))
    print(f"{'claim':32} {'cpu s seed ' + str(args.seeds[0]):>14} {'cpu s seed ' + str(args.seeds[1]):>14}  "
          "same verdict JSON  status")
    for cid in rows:
        same = a[cid]["json"] == b[cid]["json"]
        print(f"{cid:32} {a[cid]['cpu']:14.1f} {b[cid]['cpu']:14.1f}  {'yes (seed-free)' if same else 'no':17}  "
              f"{a[cid]['status']}/{b[cid]['status']}")
    seed_reading = [c for c in ids if a[c]["json"] != b[c]["json"]]
    total = sum(a[c]["cpu"] + b[c]["cpu"] for c in ids)
    per_seed = sum((a[c]["cpu"] + b[c]["cpu"]) / 2 for c in seed_reading)
    print(f"two seeds: {total:.1f} CPU s; {len(seed_reading)} claims read the seed, "
          f"{per_seed:.1f} CPU s per further seed")
    if args.json:
        Path(args.json).write_text(json.dumps({"seeds": args.seeds, "a": a, "b": b}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
