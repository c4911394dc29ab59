package dev.extsvc.bench;

/** The two stores every end-to-end figure is taken on. */
enum StoreKind {
  SQLITE("SQLite"),
  POSTGRESQL("PostgreSQL");

  final String label;

  StoreKind(String label) {
    this.label = label;
  }
}
