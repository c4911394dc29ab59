/**
 * The store on plain JDBC: {@link dev.extsvc.store.jdbc.JdbcStore} over an SQLite file or a
 * PostgreSQL database. What differs between databases lives in one dialect class each ({@code
 * SqliteDialect}, {@code PostgresDialect}, extending {@code JdbcDialect}), registered in {@link
 * dev.extsvc.store.jdbc.Dialect}, with its Flyway folder under {@code db/migration/}. Everything
 * but the facade and {@code Dialect} is package-private.
 */
@NullMarked
package dev.extsvc.store.jdbc;

import org.jspecify.annotations.NullMarked;
