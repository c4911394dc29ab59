package dev.extsvc.store.jdbc;

import dev.extsvc.runtime.store.StoreUnavailableException;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The databases {@link JdbcStore} speaks, each backed by its dialect class; this list is where a
 * dialect is registered.
 */
public enum Dialect {
  /** An embedded file database: one writer at a time, JDBC calls kept off virtual threads. */
  SQLITE(SqliteDialect.INSTANCE),
  /** A server database that several nodes can share. */
  POSTGRESQL(PostgresDialect.INSTANCE);

  private final JdbcDialect dialect;

  Dialect(JdbcDialect dialect) {
    this.dialect = dialect;
  }

  /** The class that knows this database, which the store asks about it. */
  JdbcDialect jdbc() {
    return dialect;
  }

  /**
   * The dialect of the database behind the data source, recognised by the product name its driver
   * reports.
   *
   * @throws IllegalArgumentException for a database the store does not support, naming it and those
   *     it does
   * @throws StoreUnavailableException when no connection can be had to ask
   */
  public static Dialect of(DataSource dataSource) {
    String product;
    try (var connection = dataSource.getConnection()) {
      product = connection.getMetaData().getDatabaseProductName();
    } catch (SQLException e) {
      throw new StoreUnavailableException(
          "Cannot reach the data source to recognise its database: " + Errors.summary(e), e);
    }
    return ofProduct(product);
  }

  /** The dialect whose database has this product name, as {@code DatabaseMetaData} reports it. */
  static Dialect ofProduct(String productName) {
    var folded = productName.toLowerCase(Locale.ROOT);
    for (var candidate : values()) {
      if (candidate.dialect.isProduct(folded)) {
        return candidate;
      }
    }
    throw new IllegalArgumentException(
        "The data source's database is "
            + productName
            + ", which the store does"
            + " not support (it supports "
            + supported()
            + ")");
  }

  /**
   * The dialect a JDBC URL names: the first of its leading names that is a dialect's, so that a
   * wrapper's URL ({@code jdbc:p6spy:postgresql:...}) is recognised and a file named like a
   * database is not taken for one.
   */
  static Optional<Dialect> ofUrl(String jdbcUrl) {
    for (var name : JdbcDialect.urlPrefixNames(jdbcUrl)) {
      for (var candidate : values()) {
        if (candidate.dialect.urlNames().contains(name)) {
          return Optional.of(candidate);
        }
      }
    }
    return Optional.empty();
  }

  /**
   * Checks that a JDBC URL names this dialect's database, without echoing the URL, which may carry
   * a password.
   *
   * @throws IllegalArgumentException naming the database the URL is for and those the store
   *     supports
   */
  void requireUrl(String jdbcUrl) {
    var named = ofUrl(jdbcUrl);
    if (named.isPresent() && named.get() == this) {
      return;
    }
    var expected =
        "Expected a "
            + dialect.displayName()
            + " JDBC URL (jdbc:"
            + dialect.urlNames().getFirst()
            + ":...)";
    if (!jdbcUrl.regionMatches(true, 0, "jdbc:", 0, 5)) {
      throw new IllegalArgumentException(expected + ", got one that does not start with jdbc:");
    }
    var names = JdbcDialect.urlPrefixNames(jdbcUrl);
    if (names.isEmpty()) {
      throw new IllegalArgumentException(expected + ", got one that names no database after jdbc:");
    }
    var prefix = "jdbc:" + String.join(":", names);
    if (named.isPresent()) {
      throw new IllegalArgumentException(
          expected
              + ", got one for "
              + named.get().dialect.displayName()
              + " ("
              + prefix
              + ":...)");
    }
    throw new IllegalArgumentException(
        expected
            + ", got one for "
            + prefix
            + ":..., a database the store does not support (it supports "
            + supported()
            + ")");
  }

  /** "SQLite and PostgreSQL". */
  static String supported() {
    var names = Arrays.stream(values()).map(d -> d.dialect.displayName()).toList();
    var last = names.getLast();
    return names.size() == 1
        ? last
        : String.join(", ", names.subList(0, names.size() - 1)) + " and " + last;
  }
}
