"""Benchmark the Neo4j loads on a real corpus build: Bolt (`loaders.neo4j`, cold and warm), the bulk
import (`loaders.neo4j_bulk`) and an unchanged reload, relationships per second side by side.

    python bench/bench_neo4j.py --papers 5000        # builds the first 5,000 corpus papers (~4 min), then loads
    python bench/bench_neo4j.py --graph out/         # an existing build
    NEO4J_URI=bolt://127.0.0.1:7687 NEO4J_PASSWORD=... python bench/bench_neo4j.py --graph out/  # Bolt only

Without NEO4J_URI the benchmark starts its own server on a free port (data in a temporary directory)
and stops it after. "cold" is the first load after the server started (Neo4j's code still
interpreted until the JIT compiles it), "warm" the following ones; each Bolt load goes into a wiped
database (the wipe is not timed). "bulk" is `kg load neo4j --bulk`: CSV export, server stop,
neo4j-admin import, server start, constraints and indexes; its "import only" row is neo4j-admin alone.
"reload" loads the same graph again: reading and comparing the hashes, writing nothing.
WARNING: with NEO4J_URI this deletes every :Paper and :Entity node of that database.
"""

from __future__ import annotations

import argparse
import gzip
import os
import shutil
import socket
import sys
import tempfile
import time
from itertools import islice
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from loaders.neo4j import DEFAULT_BATCH_SIZE, DEFAULT_WORKERS, load_into_neo4j  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "arxiv-cs-2024-2026.jsonl.gz"


def corpus_build(corpus: Path, papers: int, out: Path) -> nx.MultiDiGraph:
    """Build the first `papers` records of the corpus into `out`."""
    from kg.build import build

    head = out.parent / f"{out.name}-input.jsonl"
    with gzip.open(corpus, "rt", encoding="utf-8") as source, open(head, "w", encoding="utf-8") as target:
        target.writelines(islice(source, papers))
    graph, _ = build([head], out)
    return graph


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def row(label: str, relationships: int, seconds: float, note: str = "") -> None:
    rate = f"{relationships / seconds:,.0f}" if seconds > 0 else "-"
    print(f"{label:<22} {relationships:>13,} {seconds:>9.1f} {rate:>10}  {note}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--papers", type=int, default=2000, help="build this many corpus papers (default 2000)")
    source.add_argument("--graph", type=Path, help="an existing build directory or graph file instead")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--warm", type=int, default=2, help="warm Bolt loads (default 2)")
    parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE)
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS)
    parser.add_argument("--heap", default="2g", help="server heap when the bench starts its own server")
    parser.add_argument("--pagecache", default="512m", help="server page cache when the bench starts its own server")
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="bench-neo4j-"))
    uri = os.environ.get("NEO4J_URI")
    user = os.environ.get("NEO4J_USER", "neo4j")
    password = os.environ.get("NEO4J_PASSWORD", "")
    data_dir = None
    try:
        started = time.perf_counter()
        if args.graph:
            from loaders.files import read_graph

            graph, what = read_graph(args.graph), str(args.graph)
        else:
            print(f"building the first {args.papers:,} papers of {args.corpus} ...", flush=True)
            graph, what = corpus_build(args.corpus, args.papers, scratch / "build"), f"{args.papers:,} corpus papers"
        print(f"graph: {what}: {graph.number_of_nodes():,} nodes, {graph.number_of_edges():,} relationships "
              f"({time.perf_counter() - started:.0f}s to get)", flush=True)
        if not uri:
            from loaders.neo4j_server import start_server

            data_dir = scratch / "neo4j"
            password = "bench-password"
            info = start_server(port=free_port(), data_dir=data_dir, password=password, http_port=None,
                                heap=args.heap, pagecache=args.pagecache)
            uri, user = info.uri, info.user
            print(f"Neo4j started (heap {args.heap}, page cache {args.pagecache}) at {uri}", flush=True)
        print(f"Bolt: batch {args.batch_size:,}, {args.workers} workers; rel/s = relationships / seconds", flush=True)
        print(f"{'load':<22} {'relationships':>13} {'seconds':>9} {'rel/s':>10}", flush=True)
        for run in range(1 + args.warm):
            label = "Bolt cold" if run == 0 else f"Bolt warm #{run}"
            load_into_neo4j(nx.MultiDiGraph(), uri, user, password, wipe=True)
            summary = load_into_neo4j(graph, uri, user, password, batch_size=args.batch_size, workers=args.workers)
            row(label, summary.relationships_written, summary.seconds,
                f"{summary.nodes_written:,} nodes; relationship phase {summary.relationships_per_second:,.0f} rel/s")
        summary = load_into_neo4j(graph, uri, user, password, batch_size=args.batch_size, workers=args.workers)
        row("Bolt reload, unchanged", summary.relationships, summary.seconds,
            f"{summary.nodes_written + summary.relationships_written} rows written")
        if data_dir is None:
            print("bulk: n/a (NEO4J_URI: --bulk needs the server this benchmark starts itself)")
            return 0
        from loaders.neo4j_bulk import bulk_load

        bulk = bulk_load(graph, uri, user, password, data_dir=data_dir)
        row("bulk", bulk.relationships, bulk.seconds,
            f"export {bulk.export_seconds:.1f}s, stop+start {bulk.restart_seconds:.1f}s, "
            f"indexes {bulk.schema_seconds:.1f}s")
        row("bulk: neo4j-admin only", bulk.relationships, bulk.import_seconds,
            f"one JVM start included; neo4j-admin says: {bulk.import_report}")
    finally:
        if data_dir is not None:
            from loaders.neo4j_server import stop_server

            stop_server(data_dir)
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
