"""Benchmark `loaders.neo4j.load_into_neo4j`: the seed graph replicated to ~10k and ~100k papers.

    python bench/bench_neo4j.py                     # starts its own server on a free port, stops it after
    python bench/bench_neo4j.py --papers 10000 --batch-size 5000 --batch-size 20000
    NEO4J_URI=bolt://127.0.0.1:7687 NEO4J_PASSWORD=... python bench/bench_neo4j.py   # an existing server

Every replica is an independent copy of the seed graph: node ids (papers and entities) and paper ids
get a `#r<k>` suffix, edges (SHARES_ENTITIES included) are copied within the replica. Each size is
loaded into a wiped database; reported: nodes/s and relationships/s over the whole load, the same
for the node phase and the relationship phase alone, the Python process's peak RSS during the load
(and the traced Python allocations with --tracemalloc) and the server's RSS. A fresh JVM runs
Neo4j's Cypher and storage code interpreted until the JIT has compiled it, so the first load after a
start is slower: `--warmup` loads (default 1, of the smallest size) run first and are printed as
"cold" rows.
WARNING: with NEO4J_URI this deletes every :Paper and :Entity node of that database.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
import tempfile
import threading
import time
import tracemalloc
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from loaders.neo4j import DEFAULT_BATCH_SIZE, load_into_neo4j  # noqa: E402


def seed_graph(seeds: Path) -> nx.MultiDiGraph:
    from kg.build import build

    with tempfile.TemporaryDirectory(prefix="bench-neo4j-") as out:
        graph, _ = build([seeds], Path(out))
    return graph


def replicate(graph: nx.MultiDiGraph, papers: int) -> nx.MultiDiGraph:
    """Independent copies of `graph` until it has about `papers` papers."""
    per_copy = sum(1 for _, d in graph.nodes(data=True) if d.get("kind") == "Paper")
    copies = max(1, round(papers / per_copy))
    out = nx.MultiDiGraph(name=f"{graph.name} x{copies}")
    nodes = list(graph.nodes(data=True))
    edges = list(graph.edges(keys=True, data=True))
    for k in range(copies):
        suffix = f"#r{k}"
        for node, data in nodes:
            attrs = dict(data)
            if "paper_id" in attrs:
                attrs["paper_id"] = attrs["paper_id"] + suffix
            out.add_node(node + suffix, **attrs)
        for u, v, key, data in edges:
            out.add_edge(u + suffix, v + suffix, key=key, **data)
    return out


def rss_kib(pid: int | str = "self", field: str = "VmRSS") -> int:
    """A memory field of /proc/<pid>/status in KiB (0 if unavailable)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class PeakSampler(threading.Thread):
    """Samples the RSS of this process and of the server every 0.1 s."""

    def __init__(self, server_pid: int | None) -> None:
        super().__init__(daemon=True)
        self.server_pid = server_pid
        self.peak_self = rss_kib()
        self.peak_server = rss_kib(server_pid) if server_pid else 0
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.wait(0.1):
            self.peak_self = max(self.peak_self, rss_kib())
            if self.server_pid:
                self.peak_server = max(self.peak_server, rss_kib(self.server_pid))

    def stop(self) -> None:
        self._done.set()
        self.join()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=Path, default=ROOT / "seeds")
    parser.add_argument("--papers", type=int, action="append", help="target paper counts (default 10000 100000)")
    parser.add_argument("--batch-size", type=int, action="append",
                        help=f"rows per transaction (default {DEFAULT_BATCH_SIZE})")
    parser.add_argument("--heap", default="2g", help="server heap when the bench starts its own server")
    parser.add_argument("--pagecache", default="512m", help="server page cache when the bench starts its own server")
    parser.add_argument("--server-pid", type=int, help="pid of the NEO4J_URI server, to report its RSS")
    parser.add_argument("--warmup", type=int, default=1, help="untimed-for-the-record loads of the smallest size first")
    parser.add_argument("--tracemalloc", action="store_true", help="also trace Python allocations (slower)")
    args = parser.parse_args()
    sizes = args.papers or [10_000, 100_000]
    batch_sizes = args.batch_size or [DEFAULT_BATCH_SIZE]

    uri = os.environ.get("NEO4J_URI")
    user = os.environ.get("NEO4J_USER", "neo4j")
    password = os.environ.get("NEO4J_PASSWORD", "")
    data_dir = None
    server_pid = args.server_pid
    if not uri:
        from loaders.neo4j_server import start_server

        data_dir = Path(tempfile.mkdtemp(prefix="bench-neo4j-data-"))
        password = "bench-password"
        print(f"starting Neo4j (heap {args.heap}, page cache {args.pagecache}) in {data_dir} ...", flush=True)
        info = start_server(port=free_port(), data_dir=data_dir, password=password, http_port=None,
                            heap=args.heap, pagecache=args.pagecache)
        uri, user, server_pid = info.uri, info.user, info.pid
    try:
        started = time.perf_counter()
        seed = seed_graph(args.seeds)
        print(f"seed graph: {seed.number_of_nodes():,} nodes, {seed.number_of_edges():,} relationships "
              f"(built in {time.perf_counter() - started:.1f}s)", flush=True)
        print(f"{'run':>5} {'papers':>8} {'batch':>6} {'nodes':>9} {'rels':>9} {'seconds':>8} {'nodes/s':>9} "
              f"{'rels/s':>9} {'node phase/s':>12} {'rel phase/s':>11} {'py peak MiB':>11} {'server peak MiB':>15}",
              flush=True)
        runs = [(min(sizes), batch_sizes[0], "cold")] * args.warmup + \
            [(papers, batch_size, "warm") for papers in sizes for batch_size in batch_sizes]
        graphs: dict[int, nx.MultiDiGraph] = {}
        for papers, batch_size, label in runs:
            if papers not in graphs:
                graphs.clear()
                graphs[papers] = replicate(seed, papers)
            graph = graphs[papers]
            n_papers = sum(1 for _, d in graph.nodes(data=True) if d["kind"] == "Paper")
            load_into_neo4j(nx.MultiDiGraph(), uri, user, password, wipe=True)  # wipe outside the timing
            if args.tracemalloc:
                tracemalloc.start()
            sampler = PeakSampler(server_pid)
            sampler.start()
            summary = load_into_neo4j(graph, uri, user, password, batch_size=batch_size)
            sampler.stop()
            traced = ""
            if args.tracemalloc:
                traced = f"  (traced Python peak {tracemalloc.get_traced_memory()[1] / 2**20:.0f} MiB)"
                tracemalloc.stop()
            server_mem = f"{sampler.peak_server / 1024:.0f}" if server_pid else "n/a"
            print(f"{label:>5} {n_papers:>8,} {batch_size:>6,} {summary.nodes:>9,} {summary.relationships:>9,} "
                  f"{summary.seconds:>8.1f} {summary.nodes_per_second:>9,.0f} "
                  f"{summary.relationships_per_second:>9,.0f} "
                  f"{summary.nodes / summary.node_seconds:>12,.0f} "
                  f"{summary.relationships / summary.relationship_seconds:>11,.0f} "
                  f"{sampler.peak_self / 1024:>11.0f} {server_mem:>15}{traced}", flush=True)
        if server_pid:
            print(f"server peak RSS over the whole run (VmHWM): {rss_kib(server_pid, 'VmHWM') / 1024:.0f} MiB")
    finally:
        if data_dir is not None:
            from loaders.neo4j_server import stop_server

            stop_server(data_dir)
            import shutil

            shutil.rmtree(data_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
