package db.migration.sqlite;

import dev.extsvc.store.jdbc.SearchBackfill;

/** Migration 15.1 on SQLite: see {@link SearchBackfill}. */
public final class V15_1__search_backfill extends SearchBackfill {}
