/**
 * The store on plain JDBC: {@link dev.extsvc.store.jdbc.JdbcStore} over an SQLite file or a PostgreSQL database.
 * Everything but the facade and {@link dev.extsvc.store.jdbc.Dialect} is package-private.
 */
@NullMarked
package dev.extsvc.store.jdbc;

import org.jspecify.annotations.NullMarked;
