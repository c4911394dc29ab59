/**
 * The store SPI: everything the runtime keeps lives behind {@link dev.extsvc.runtime.store.Store},
 * so any node sharing the store can take any callback. Implementations: {@code extsvc-store-jdbc}
 * (SQLite, PostgreSQL).
 */
@NullMarked
package dev.extsvc.runtime.store;

import org.jspecify.annotations.NullMarked;
