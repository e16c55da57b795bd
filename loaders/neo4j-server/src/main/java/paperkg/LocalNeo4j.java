package paperkg;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.server.CommunityBootstrapper;
import org.neo4j.server.NeoBootstrapper;

/**
 * Runs a local Neo4j Community server (Bolt + optional HTTP/Neo4j Browser) for paper-kg.
 *
 * <p>Usage: {@code java -Xmx1g -jar paperkg-neo4j-server.jar --data DIR [--port 7687] [--http-port 7474|0]
 * [--password PW] [--pagecache 256m]}. The password may instead be given in the environment variable
 * {@code PAPERKG_NEO4J_PASSWORD} (preferred: it does not show up in the process list).
 *
 * <p>When the server accepts connections with the given password it prints exactly one line to stdout:
 * {@code READY bolt://127.0.0.1:7687 http://127.0.0.1:7474} (the second URL is {@code -} when HTTP is off).
 * SIGTERM/SIGINT shut the databases down cleanly through Neo4j's own shutdown hook.
 */
public final class LocalNeo4j {
    static final String PASSWORD_ENV = "PAPERKG_NEO4J_PASSWORD";
    static final String HOST = "127.0.0.1";

    private LocalNeo4j() {}

    public static void main(String[] args) throws Exception {
        Path data = null;
        int port = 7687;
        int httpPort = 7474;
        String password = System.getenv(PASSWORD_ENV);
        String pagecache = "256m";
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (a) {
                case "--data" -> { data = Path.of(require(a, v)); i++; }
                case "--port" -> { port = Integer.parseInt(require(a, v)); i++; }
                case "--http-port" -> { httpPort = Integer.parseInt(require(a, v)); i++; }
                case "--password" -> { password = require(a, v); i++; }
                case "--pagecache" -> { pagecache = require(a, v); i++; }
                default -> fail("unknown argument: " + a);
            }
        }
        if (data == null) {
            fail("--data DIR is required");
        }
        if (password == null || password.length() < 8) {
            fail("a password of at least 8 characters is required (--password or $" + PASSWORD_ENV + ")");
        }
        Path home = data.toAbsolutePath().normalize();
        Files.createDirectories(home);

        boolean http = httpPort > 0;
        Map<String, String> cfg = new HashMap<>();
        cfg.put("server.default_listen_address", HOST);
        cfg.put("server.default_advertised_address", HOST);
        cfg.put("server.bolt.enabled", "true");
        cfg.put("server.bolt.listen_address", HOST + ":" + port);
        cfg.put("server.bolt.advertised_address", HOST + ":" + port);
        cfg.put("server.http.enabled", Boolean.toString(http));
        if (http) {
            cfg.put("server.http.listen_address", HOST + ":" + httpPort);
            cfg.put("server.http.advertised_address", HOST + ":" + httpPort);
        }
        cfg.put("server.https.enabled", "false");
        cfg.put("dbms.security.auth_enabled", "true");
        cfg.put("server.memory.pagecache.size", pagecache);
        cfg.put("dbms.usage_report.enabled", "false");
        cfg.put("client.allow_telemetry", "false"); // Neo4j Browser: no usage reporting
        // Small transaction logs (the defaults preallocate 256 MiB per database).
        cfg.put("db.tx_log.rotation.retention_policy", "2 files");
        cfg.put("db.tx_log.rotation.size", "32M");
        cfg.put("db.tx_log.preallocate", "false");
        // Bolt waits 5 s twice on shutdown by default; databases are already checkpointed by then.
        cfg.put("internal.server.bolt.connection_shutdown_wait_time", "1s");
        cfg.put("internal.server.bolt.thread_pool_shutdown_wait_time", "1s");

        // The bootstrapper installs the SIGTERM/SIGINT handlers and the shutdown hook that stops the DBMS.
        CommunityBootstrapper boot = new CommunityBootstrapper();
        int status = boot.start(home, null, cfg, false, false);
        if (status != NeoBootstrapper.OK) {
            System.err.println("ERROR Neo4j failed to start (status " + status + "), see " + home.resolve("logs"));
            System.exit(status);
        }
        DatabaseManagementService dbms = boot.getDatabaseManagementService();
        setPassword(dbms, password);

        String httpUrl = http ? "http://" + HOST + ":" + httpPort : "-";
        System.out.println("READY bolt://" + HOST + ":" + port + " " + httpUrl);
        System.out.flush();

        // Block forever; the JVM exits via System.exit() in Neo4j's signal handler, which runs its shutdown hook.
        new CountDownLatch(1).await();
    }

    /** Sets the password of user neo4j (no change required on first login); a no-op if it is already set. */
    private static void setPassword(DatabaseManagementService dbms, String password) {
        var system = dbms.database("system");
        try {
            system.executeTransactionally(
                    "ALTER USER neo4j SET PASSWORD $pw CHANGE NOT REQUIRED", Map.of("pw", password));
        } catch (RuntimeException e) {
            if (!String.valueOf(messages(e)).contains("Old password and new password cannot be the same")) {
                throw e;
            }
            // Same password as before: only make sure no change is required.
            system.executeTransactionally("ALTER USER neo4j SET PASSWORD CHANGE NOT REQUIRED");
        }
    }

    private static String messages(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            sb.append(c.getMessage()).append('\n');
        }
        return sb.toString();
    }

    private static String require(String flag, String value) {
        if (value == null) {
            fail(flag + " needs a value");
        }
        return value;
    }

    private static void fail(String msg) {
        System.err.println("ERROR " + msg);
        System.exit(2);
    }
}
