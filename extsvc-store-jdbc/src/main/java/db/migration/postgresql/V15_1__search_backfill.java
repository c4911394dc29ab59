package db.migration.postgresql;

import dev.extsvc.store.jdbc.SearchBackfill;

/** Migration 15.1 on PostgreSQL: see {@link SearchBackfill}. */
public final class V15_1__search_backfill extends SearchBackfill {}
