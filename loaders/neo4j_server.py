"""Start, stop and inspect a local Neo4j Community 5.26 server for paper-kg.

The server is the small Maven module in ``loaders/neo4j-server/`` (Neo4j Community + Neo4j Browser
from Maven Central), installed as package data. It is copied to ``$PAPER_KG_HOME/neo4j-server`` and
built there on demand with ``mvn`` (never inside the installed package), runs as a detached ``java``
process and keeps its databases, logs and a ``server.json`` state file in one data directory.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from kg.errors import ServerError

DEFAULT_PASSWORD = "paper-kg-local"
DEFAULT_BOLT_PORT = 7687
DEFAULT_HTTP_PORT = 7474
DEFAULT_HEAP = "1g"
DEFAULT_PAGECACHE = "256m"
IMPORT_OFF_HEAP = "2g"  # neo4j-admin import's own default is 90% of the machine's memory
START_TIMEOUT_S = 180.0
STOP_TIMEOUT_S = 60.0
USER = "neo4j"
HOST = "127.0.0.1"

STATE_FILE = "server.json"
LOG_FILE = "neo4j.log"
PASSWORD_ENV = "PAPERKG_NEO4J_PASSWORD"  # read by LocalNeo4j.java (keeps the password out of `ps`)
JAR_NAME = "paperkg-neo4j-server.jar"
MIN_JAVA = 17
DOCKER_HINT = (
    "or use Docker instead: docker run -p 7687:7687 -e NEO4J_AUTH=neo4j/<pw> neo4j:5.26 "
    "and then --uri bolt://localhost:7687"
)
JVM_OPTS = [
    "-XX:+UseParallelGC",  # the most writes per second on two cores (G1's concurrent work competes with them)
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+DisableExplicitGC",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Dlog4j2.disable.jmx=true",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
]
_READY_RE = re.compile(r"^READY (bolt://\S+) (\S+)\s*$", re.MULTILINE)

# Popen handles of servers started by this Python process (kept so they can be reaped, not GC-warned).
_CHILDREN: dict[int, subprocess.Popen[bytes]] = {}


@dataclass(frozen=True)
class ServerInfo:
    """A running local server, as recorded in ``<data_dir>/server.json``."""

    pid: int
    bolt_port: int
    http_port: int | None
    uri: str
    http_url: str | None
    password: str
    data_dir: Path
    log_file: Path
    user: str = USER
    started_at: float = 0.0
    heap: str = DEFAULT_HEAP
    pagecache: str = DEFAULT_PAGECACHE
    responding: bool = True
    already_running: bool = False

    @property
    def browser_url(self) -> str | None:
        """Neo4j Browser URL (served by the HTTP connector), if HTTP is enabled."""
        return f"{self.http_url}/browser/" if self.http_url else None

    def to_dict(self) -> dict[str, object]:
        """JSON-serialisable form (paths as strings)."""
        d = asdict(self)
        d["data_dir"] = str(self.data_dir)
        d["log_file"] = str(self.log_file)
        return d


# --------------------------------------------------------------------------- paths


def paper_kg_home() -> Path:
    """``$PAPER_KG_HOME``, else ``~/.local/share/paper-kg``: the server's build and data live there."""
    home = os.environ.get("PAPER_KG_HOME")
    return Path(home).expanduser() if home else Path.home() / ".local" / "share" / "paper-kg"


def module_dir() -> Path:
    """The Maven module directory to build in: ``$PAPER_KG_NEO4J_MODULE`` as it is, else
    ``$PAPER_KG_HOME/neo4j-server`` holding a copy of the sources shipped in the package."""
    env = os.environ.get("PAPER_KG_NEO4J_MODULE")
    return Path(env) if env else paper_kg_home() / "neo4j-server"


def _packaged_files(folder, prefix: str = "") -> Iterator[tuple[str, object]]:
    """(relative path, resource) for every file of the packaged module, `target/` left out."""
    for entry in folder.iterdir():
        name = f"{prefix}{entry.name}"
        if entry.is_dir():
            if name != "target":
                yield from _packaged_files(entry, f"{name}/")
        elif not entry.name.startswith("."):
            yield name, entry


def _sync_sources(mdir: Path) -> None:
    """Copy the module sources shipped in the package into `mdir`; only files that differ are written,
    so Maven rebuilds after an upgrade and not otherwise."""
    from importlib.resources import files

    packaged = dict(_packaged_files(files("loaders").joinpath("neo4j-server")))
    if "pom.xml" not in packaged:
        raise ServerError(f"the Neo4j server sources are missing from the installed package; reinstall "
                          f"paper-kg, {DOCKER_HINT}")
    for name, source in packaged.items():
        data = source.read_bytes()
        target = mdir / name
        if target.is_file() and target.read_bytes() == data:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, target)


def default_data_dir() -> Path:
    """``$PAPER_KG_HOME/neo4j``, else ``~/.local/share/paper-kg/neo4j``."""
    return paper_kg_home() / "neo4j"


def _resolve_data_dir(data_dir: Path | str | None) -> Path:
    return (Path(data_dir).expanduser() if data_dir else default_data_dir()).resolve()


# --------------------------------------------------------------------------- build


def _java_exe() -> str:
    java_home = os.environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / "java").is_file():
        return str(Path(java_home) / "bin" / "java")
    exe = shutil.which("java")
    if not exe:
        raise ServerError(
            f"`java` (JDK {MIN_JAVA}+) was not found on PATH; install one "
            f"(e.g. apt-get install openjdk-17-jdk-headless) {DOCKER_HINT}"
        )
    return exe


def java_version(java: str | None = None) -> int:
    """Major version of ``java`` (e.g. 17); raises ServerError if it cannot be run."""
    exe = java or _java_exe()
    try:
        out = subprocess.run(
            [exe, "-version"], capture_output=True, text=True, timeout=60, check=False
        )
    except OSError as e:
        raise ServerError(f"cannot run `{exe} -version` ({e}); {DOCKER_HINT}") from e
    m = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    if not m:
        raise ServerError(f"cannot parse the output of `{exe} -version`; {DOCKER_HINT}")
    major = int(m.group(1))
    return int(m.group(2) or 0) if major == 1 else major  # "1.8.0" -> 8


def _check_java() -> str:
    exe = _java_exe()
    major = java_version(exe)
    if major < MIN_JAVA:
        raise ServerError(
            f"Neo4j 5.26 needs Java {MIN_JAVA}+, but `{exe}` is Java {major}; "
            f"set JAVA_HOME to a JDK {MIN_JAVA}+ {DOCKER_HINT}"
        )
    return exe


def _artifact_stale(jar: Path, mdir: Path) -> bool:
    if not jar.is_file() or not (jar.parent / "lib").is_dir():
        return True
    built = jar.stat().st_mtime
    sources = [mdir / "pom.xml", *(p for p in (mdir / "src").rglob("*") if p.is_file())]
    return any(p.stat().st_mtime > built for p in sources)


@contextlib.contextmanager
def _flock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def ensure_server_built(force: bool = False) -> Path:
    """Build the Maven module (see `module_dir`) if its jar is missing or older than pom.xml/sources.

    Returns the runnable jar (``target/paperkg-neo4j-server.jar``; its dependencies are in
    ``target/lib/`` and on its manifest Class-Path). Raises ServerError if java 17+ or mvn
    is missing or the build fails.
    """
    _check_java()
    mdir = module_dir()
    packaged = "PAPER_KG_NEO4J_MODULE" not in os.environ
    if not packaged and not (mdir / "pom.xml").is_file():
        raise ServerError(f"Neo4j server module not found at {mdir} (no pom.xml); {DOCKER_HINT}")
    jar = mdir / "target" / JAR_NAME
    try:
        mdir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise ServerError(f"cannot create {mdir} to build the Neo4j server ({e.strerror}); "
                          f"set PAPER_KG_HOME to a writable directory") from None
    with _flock(mdir / "target" / ".build.lock"):
        if packaged:
            _sync_sources(mdir)
        if not force and not _artifact_stale(jar, mdir):
            return jar
        mvn = shutil.which("mvn")
        if not mvn:
            raise ServerError(
                "`mvn` (Apache Maven) was not found on PATH; it is needed once to fetch Neo4j from "
                f"Maven Central (e.g. apt-get install maven) {DOCKER_HINT}"
            )
        proc = subprocess.run(
            [mvn, "-q", "-B", "package", "-DskipTests"],
            cwd=mdir,
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0 or not jar.is_file():
            lines = [ln for ln in (proc.stdout + proc.stderr).splitlines() if ln.strip()]
            errors = [ln for ln in lines if "ERROR" in ln] or lines
            detail = errors[0].strip() if errors else f"exit code {proc.returncode}"
            raise ServerError(f"Maven build of {mdir} failed: {detail[:300]}")
        jar.touch()  # newer than every source even if Maven left the jar untouched
    return jar


# --------------------------------------------------------------------------- process helpers


def _pid_alive(pid: int) -> bool:
    child = _CHILDREN.get(pid)
    if child is not None:
        if child.poll() is not None:
            _CHILDREN.pop(pid, None)
            return False
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie still answers kill(0)
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        return state != "Z"
    except (OSError, IndexError):
        return True


def _is_our_server(pid: int, data_dir: Path) -> bool:
    """True if pid is a LocalNeo4j java process for data_dir (guards against pid reuse)."""
    if not _pid_alive(pid):
        return False
    try:
        args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return True  # no /proc: trust the pid
    decoded = [a.decode(errors="replace") for a in args]
    return any(a.endswith(JAR_NAME) for a in decoded) and str(data_dir) in decoded


def _port_open(port: int, host: str = HOST, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def _port_free(port: int, host: str = HOST) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return not _port_open(port, host, timeout=0.5)


def _read_state(data_dir: Path) -> ServerInfo | None:
    try:
        raw = json.loads((data_dir / STATE_FILE).read_text())
        return ServerInfo(
            pid=int(raw["pid"]),
            bolt_port=int(raw["bolt_port"]),
            http_port=raw.get("http_port"),
            uri=raw["uri"],
            http_url=raw.get("http_url"),
            password=raw["password"],
            data_dir=data_dir,
            log_file=Path(raw.get("log_file") or data_dir / LOG_FILE),
            user=raw.get("user", USER),
            started_at=float(raw.get("started_at", 0.0)),
            heap=raw.get("heap", DEFAULT_HEAP),
            pagecache=raw.get("pagecache", DEFAULT_PAGECACHE),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write_state(info: ServerInfo) -> None:
    path = info.data_dir / STATE_FILE
    tmp = path.with_suffix(".tmp")
    d = info.to_dict()
    for k in ("responding", "already_running"):
        d.pop(k)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # holds the password
    with os.fdopen(fd, "w") as fh:
        json.dump(d, fh, indent=2)
    os.replace(tmp, path)


def _remove_state(data_dir: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        (data_dir / STATE_FILE).unlink()


def _log_tail(log: Path, offset: int, lines: int = 8) -> str:
    try:
        with open(log, "rb") as fh:
            fh.seek(offset)
            text = fh.read().decode(errors="replace")
    except OSError:
        return ""
    keep = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("\tat ")]
    return " | ".join(keep[-lines:])


# --------------------------------------------------------------------------- public API


def server_status(data_dir: Path | str | None = None) -> ServerInfo | None:
    """Info on the server of data_dir if its process is alive, else None (a stale state file is removed).

    ``responding`` tells whether its Bolt port accepts connections right now.
    """
    ddir = _resolve_data_dir(data_dir)
    info = _read_state(ddir)
    if info is None:
        return None
    if not _is_our_server(info.pid, ddir):
        _remove_state(ddir)
        return None
    return replace(info, responding=_port_open(info.bolt_port))


def start_server(
    port: int = DEFAULT_BOLT_PORT,
    data_dir: Path | str | None = None,
    password: str = DEFAULT_PASSWORD,
    http_port: int | None = DEFAULT_HTTP_PORT,
    *,
    heap: str = DEFAULT_HEAP,
    pagecache: str = DEFAULT_PAGECACHE,
    timeout: float = START_TIMEOUT_S,
) -> ServerInfo:
    """Start a detached local Neo4j server and wait until it accepts Bolt logins.

    Listens on 127.0.0.1 only; ``http_port=None`` (or 0) disables HTTP/Neo4j Browser. User ``neo4j``
    gets ``password`` (no change required). If a server of this data_dir is already running, its
    info is returned with ``already_running=True`` instead (its ports/password are kept).
    """
    ddir = _resolve_data_dir(data_dir)
    if not password or len(password) < 8:
        raise ServerError("the Neo4j password must have at least 8 characters")
    http = http_port or None
    ddir.mkdir(parents=True, exist_ok=True)
    with _flock(ddir / ".start.lock"):
        existing = server_status(ddir)
        if existing is not None:
            if not existing.responding and not _wait_port(existing.pid, existing.bolt_port, timeout):
                raise ServerError(
                    f"a server for {ddir} is running (pid {existing.pid}) but bolt port "
                    f"{existing.bolt_port} does not answer; run `kg neo4j stop` and retry"
                )
            return replace(existing, responding=True, already_running=True)
        java = _check_java()
        for p, what in ((port, "bolt"), (http, "http")):
            if p is not None and not _port_free(p):
                raise ServerError(
                    f"{what} port {p} on {HOST} is already in use by another process; "
                    f"choose another port or stop that process"
                )
        jar = ensure_server_built()
        log = ddir / LOG_FILE
        cmd = [
            java,
            f"-Xmx{heap}",
            *JVM_OPTS,
            "-jar",
            str(jar),
            "--data",
            str(ddir),
            "--port",
            str(port),
            "--http-port",
            str(http or 0),
            "--pagecache",
            pagecache,
        ]
        env = {**os.environ, PASSWORD_ENV: password}
        with open(log, "ab") as fh:
            offset = fh.tell()
            fh.write(f"--- paper-kg: starting {' '.join(cmd)}\n".encode())
            fh.flush()
            proc = subprocess.Popen(
                cmd,
                cwd=ddir,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=fh,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        _CHILDREN[proc.pid] = proc
        started = time.time()
        match = _wait_ready(proc, log, offset, timeout)
        info = ServerInfo(
            pid=proc.pid,
            bolt_port=port,
            http_port=http,
            uri=match.group(1),
            http_url=None if match.group(2) == "-" else match.group(2),
            password=password,
            data_dir=ddir,
            log_file=log,
            started_at=started,
            heap=heap,
            pagecache=pagecache,
        )
        _write_state(info)
        return info


def _wait_ready(proc: subprocess.Popen[bytes], log: Path, offset: int, timeout: float) -> re.Match[str]:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with open(log, "rb") as fh:
                fh.seek(offset)
                text = fh.read().decode(errors="replace")
        except OSError:
            text = ""
        m = _READY_RE.search(text)
        if m:
            return m
        if proc.poll() is not None:
            _CHILDREN.pop(proc.pid, None)
            raise ServerError(
                f"Neo4j exited with code {proc.returncode} before it was ready "
                f"(see {log}): {_log_tail(log, offset)}"
            )
        if time.monotonic() > deadline:
            _terminate(proc.pid)
            raise ServerError(f"Neo4j was not ready after {timeout:.0f} s (see {log})")
        time.sleep(0.25)


def _wait_port(pid: int, port: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and _pid_alive(pid):
        if _port_open(port):
            return True
        time.sleep(0.5)
    return False


def _wait_exit(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while _pid_alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def _terminate(pid: int, timeout: float = STOP_TIMEOUT_S) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    if not _wait_exit(pid, timeout):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        _wait_exit(pid, 10.0)
    _CHILDREN.pop(pid, None)


def restart_server(info: ServerInfo) -> ServerInfo:
    """Start the server of `info` again with the same ports, password and memory settings."""
    return start_server(port=info.bolt_port, data_dir=info.data_dir, password=info.password,
                        http_port=info.http_port, heap=info.heap, pagecache=info.pagecache)


def import_database(data_dir: Path | str | None, database: str, arguments: list[str], *,
                    heap: str = DEFAULT_HEAP, off_heap: str = IMPORT_OFF_HEAP) -> str:
    """Run `neo4j-admin database import full --overwrite-destination` (the class bin/neo4j-admin runs,
    from the server's own jars) on the stopped server of data_dir; returns the import's summary line.

    ServerError when the server is running or the import fails (one line: the tool's error)."""
    ddir = _resolve_data_dir(data_dir)
    if server_status(ddir) is not None:
        raise ServerError(f"the Neo4j server of {ddir} is running; stop it before importing")
    java = _check_java()
    jar = ensure_server_built()
    with tempfile.TemporaryDirectory(prefix=".import-", dir=ddir) as work:
        conf = Path(work) / "conf"
        conf.mkdir()
        (conf / "neo4j.conf").write_text("")
        cmd = [java, f"-Xmx{heap}", *JVM_OPTS, "-cp", str(jar), "org.neo4j.cli.AdminTool",
               "database", "import", "full", database, "--overwrite-destination",
               f"--max-off-heap-memory={off_heap}", f"--report-file={Path(work) / 'import.report'}", *arguments]
        env = {**os.environ, "NEO4J_HOME": str(ddir), "NEO4J_CONF": str(conf)}
        proc = subprocess.run(cmd, cwd=work, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              errors="replace", check=False)
    output = proc.stdout + proc.stderr
    with open(ddir / LOG_FILE, "a", encoding="utf-8") as log:
        log.write(f"--- paper-kg: {' '.join(cmd)}\n{output}\n")
    if proc.returncode != 0 or "IMPORT DONE" not in output:
        lines = [ln.strip() for ln in output.splitlines() if ln.strip() and not ln.startswith("\tat ")]
        errors = [ln for ln in lines if "Exception" in ln or "ERROR" in ln or "rror" in ln] or lines
        raise ServerError(f"neo4j-admin import failed (exit {proc.returncode}): "
                          f"{(errors[0] if errors else 'no output')[:300]} (see {ddir / LOG_FILE})")
    return next(ln.strip() for ln in output.splitlines() if "IMPORT DONE" in ln)


def stop_server(data_dir: Path | str | None = None, timeout: float = STOP_TIMEOUT_S) -> bool:
    """Stop the server of data_dir (SIGTERM, then SIGKILL after timeout). False if none was running."""
    ddir = _resolve_data_dir(data_dir)
    info = _read_state(ddir)
    if info is None:
        return False
    running = _is_our_server(info.pid, ddir)
    if running:
        _terminate(info.pid, timeout)
    _remove_state(ddir)
    return running
