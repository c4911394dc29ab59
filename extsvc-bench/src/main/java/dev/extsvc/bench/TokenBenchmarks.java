package dev.extsvc.bench;

import dev.extsvc.runtime.store.TokenRow;
import dev.extsvc.runtime.support.Tokens;
import dev.extsvc.store.jdbc.JdbcStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/** Tokens: minted per injection target on invoke, hashed and looked up on every callback. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class TokenBenchmarks {
  /** Invocations in the lookup's SQLite store, three tokens each. */
  static final int INVOCATIONS = 20_000;

  String token = Tokens.mint();

  @Benchmark
  public String mint() {
    return Tokens.mint();
  }

  @Benchmark
  public byte[] hash() {
    return Tokens.hash(token);
  }

  /** One callback's token lookup on SQLite: a hop to a reader thread, a primary-key read. */
  @Benchmark
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public Optional<TokenRow> storeLookupSqlite(SqliteTokens tokens) {
    return tokens.store.token(tokens.nextHash());
  }

  /**
   * An SQLite store with {@link #INVOCATIONS} waiting invocations, and a sample of their token
   * hashes.
   */
  @State(Scope.Benchmark)
  public static class SqliteTokens {
    Path dir;
    JdbcStore store;
    final List<byte[]> hashes = new ArrayList<>();
    int next;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
      dir = Files.createTempDirectory("extsvc-token-bench");
      Path file = dir.resolve("tokens.db");
      Databases.Fresh db =
          new Databases.Fresh(StoreKind.SQLITE, "jdbc:sqlite:" + file.toAbsolutePath(), file);
      BulkLoader.load(db, new WaitingRows(INVOCATIONS, 1, 1, Instant.now()));
      try (Connection c = db.connect();
          ResultSet rs =
              c.createStatement()
                  .executeQuery(
                      "SELECT token_hash FROM extsvc_callback_tokens ORDER BY random() LIMIT 4096")) {
        while (rs.next()) {
          hashes.add(rs.getBytes(1));
        }
      }
      store = db.openStore();
    }

    byte[] nextHash() {
      return hashes.get(next++ & (hashes.size() - 1));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      store.close();
      Databases.deleteTree(dir);
    }
  }
}
