package dev.extsvc.bench;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.Handler;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;

/**
 * The servers beside extsvc, each in a JVM of its own for the outside load: {@code helidon PORT}
 * (bare Helidon SE: reads the body, answers 200), {@code standin PORT} (the callout stand-in:
 * answers 201 as Acme would), {@code naive-sqlite PORT FILE} and {@code naive-postgres PORT URL
 * USER} (the naive durable baseline: one INSERT and one COMMIT per request, on SQLite in WAL mode
 * with {@code synchronous=FULL} through one connection, on PostgreSQL through a pool of 10 with
 * {@code synchronous_commit} on; the password comes from {@code BENCH_DB_PASSWORD}). Runs until it
 * is stopped.
 */
final class BareMain {
  static final String CALLBACK_ANSWER = BareServer.OK;
  static final String CALLOUT_ANSWER = "{\"applicationNumber\":\"A-1001\"}";
  static final int POSTGRES_POOL = 10;

  private BareMain() {}

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[1]);
    Handler handler =
        switch (args[0]) {
          case "helidon" -> answer(Status.OK_200, CALLBACK_ANSWER);
          case "standin" -> answer(Status.CREATED_201, CALLOUT_ANSWER);
          case "naive-sqlite" -> naive(sqlite(args[2]));
          case "naive-postgres" ->
              naive(
                  postgres(
                      args[2], args[3], System.getenv().getOrDefault("BENCH_DB_PASSWORD", "")));
          default -> throw new IllegalArgumentException("unknown mode " + args[0]);
        };
    WebServer.builder().host("127.0.0.1").port(port).routing(r -> r.any(handler)).build().start();
    new CountDownLatch(1).await(); // until SIGTERM; Helidon stops itself in its shutdown hook
  }

  private static Handler answer(Status status, String body) {
    return (req, res) -> {
      req.content().as(byte[].class);
      res.status(status);
      res.header(HeaderNames.CONTENT_TYPE, "application/json");
      res.send(body);
    };
  }

  /** The durable write every baseline request makes, on a connection it has to itself. */
  private static Handler naive(BlockingQueue<Connection> pool) {
    return (req, res) -> {
      byte[] body = req.content().as(byte[].class);
      String path = req.path().path();
      String token = path.substring(path.lastIndexOf('/') + 1);
      Connection c = pool.take();
      try (PreparedStatement s =
          c.prepareStatement(
              "INSERT INTO naive_callbacks (token, body, received_at) VALUES (?, ?, ?)")) {
        s.setString(1, token);
        s.setBytes(2, body);
        s.setLong(3, System.currentTimeMillis());
        s.executeUpdate();
        c.commit();
      } catch (SQLException e) {
        c.rollback();
        throw e;
      } finally {
        pool.put(c);
      }
      res.header(HeaderNames.CONTENT_TYPE, "application/json");
      res.send(CALLBACK_ANSWER);
    };
  }

  private static BlockingQueue<Connection> sqlite(String file) throws SQLException {
    Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
    try (Statement s = c.createStatement()) {
      s.execute("PRAGMA journal_mode=WAL");
      s.execute("PRAGMA synchronous=FULL"); // as extsvc's store: a commit survives power loss
      s.execute(
          "CREATE TABLE IF NOT EXISTS naive_callbacks (id INTEGER PRIMARY KEY, token TEXT NOT NULL,"
              + " body BLOB NOT NULL, received_at INTEGER NOT NULL)");
    }
    c.setAutoCommit(false);
    // SQLite has one writer: a single connection, taken by one request at a time
    BlockingQueue<Connection> pool = new ArrayBlockingQueue<>(1);
    pool.add(c);
    return pool;
  }

  private static BlockingQueue<Connection> postgres(String url, String user, String password)
      throws SQLException {
    BlockingQueue<Connection> pool = new ArrayBlockingQueue<>(POSTGRES_POOL);
    for (int i = 0; i < POSTGRES_POOL; i++) {
      Connection c = DriverManager.getConnection(url, user, password);
      try (Statement s = c.createStatement()) {
        if (i == 0) {
          s.execute(
              "CREATE TABLE IF NOT EXISTS naive_callbacks (id BIGSERIAL PRIMARY KEY, token TEXT"
                  + " NOT NULL, body BYTEA NOT NULL, received_at BIGINT NOT NULL)");
        }
        s.execute("SET synchronous_commit = on"); // a 200 means committed, as for extsvc
      }
      c.setAutoCommit(false);
      pool.add(c);
    }
    return pool;
  }
}
