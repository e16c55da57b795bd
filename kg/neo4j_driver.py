"""Connecting to Neo4j, shared by the loader (`loaders.neo4j`) and the query backend
(`kg.query.neo4j_backend`): a verified driver, driver failures as one-line `kg.errors.Neo4jError`s,
and the names of the full-text indexes the loader creates and the backend searches."""

from __future__ import annotations

import logging

from kg.errors import Neo4jError

# The driver logs every retried transaction; without this, Python's last-resort handler would print
# those records on stderr when the application configured no logging. Propagation is unchanged.
logging.getLogger("neo4j").addHandler(logging.NullHandler())

DEFAULT_RETRY_SECONDS = 30.0
START_HINT = "is it running? `kg neo4j start`"
ENTITY_FULLTEXT_INDEX = "entity_names"
PAPER_FULLTEXT_INDEX = "paper_titles"


def connect(uri: str, user: str, password: str, retry_seconds: float = DEFAULT_RETRY_SECONDS):
    """A verified driver, or Neo4jError with one clear line."""
    import neo4j
    from neo4j.exceptions import ConfigurationError

    try:
        driver = neo4j.GraphDatabase.driver(uri, auth=(user, password), max_transaction_retry_time=retry_seconds,
                                            connection_timeout=10.0, connection_acquisition_timeout=60.0,
                                            notifications_min_severity="OFF")
    except (ConfigurationError, ValueError) as exc:
        raise Neo4jError(f"bad Neo4j URI {uri!r}: {exc}") from exc
    try:
        driver.verify_connectivity()
    except Exception as exc:
        driver.close()
        raise driver_error(exc, uri, user) from exc
    return driver


def driver_error(exc: BaseException, uri: str, user: str, doing: str = "") -> Neo4jError:
    """Translate a driver exception into one clear line."""
    from neo4j.exceptions import AuthError, DriverError, ServiceUnavailable, SessionExpired
    from neo4j.exceptions import Neo4jError as ServerReported

    if isinstance(exc, Neo4jError):  # already translated
        return exc
    code = getattr(exc, "code", None) or ""
    if isinstance(exc, AuthError) or code.startswith("Neo.ClientError.Security."):
        if "RateLimit" in code:
            return Neo4jError(f"Neo4j at {uri} refused user {user!r}: too many failed logins; "
                              "wait a few seconds and check the password")
        return Neo4jError(f"wrong Neo4j user or password for {user!r} at {uri} "
                          "(set the password given to `kg neo4j start`)")
    if code == "Neo.ClientError.Database.DatabaseNotFound":
        return Neo4jError(f"Neo4j at {uri}: {exc.message if isinstance(exc, ServerReported) else exc}")
    if isinstance(exc, (ServiceUnavailable, SessionExpired, OSError)) or type(exc).__name__ == "IncompleteCommit":
        if doing:
            return Neo4jError(f"lost the connection to Neo4j at {uri} {doing} ({_first_line(exc)}); "
                              "re-run to finish: loading is idempotent")
        return Neo4jError(f"cannot reach Neo4j at {uri} ({START_HINT})")
    if isinstance(exc, ServerReported):
        return Neo4jError(f"Neo4j at {uri} failed{' ' + doing if doing else ''}: "
                          f"{code or type(exc).__name__}: {_first_line(exc.message or exc)}")
    if isinstance(exc, DriverError):
        return Neo4jError(f"Neo4j driver error at {uri}{' ' + doing if doing else ''}: {_first_line(exc)}")
    return Neo4jError(f"Neo4j at {uri}{' ' + doing if doing else ''}: {type(exc).__name__}: {_first_line(exc)}")


def _first_line(value: object) -> str:
    text = str(value).strip()
    return text.splitlines()[0] if text else type(value).__name__
