package dev.extsvc.store.jdbc;

import dev.extsvc.runtime.store.Store;
import dev.extsvc.runtime.testing.InMemoryStore;

/**
 * The runtime test kit's {@link InMemoryStore} held to the contract the databases meet, so that
 * runtime tests on it show what the runtime does on SQLite and PostgreSQL.
 */
class InMemoryStoreContractTest extends StoreContractTest {
  private InMemoryStore last;

  @Override
  protected Store openStore() {
    last = new InMemoryStore();
    return last;
  }

  @Override
  protected Store reopenStore() {
    last = last.reopen();
    return last;
  }

  @Override
  protected Store unavailableStore() {
    return new InMemoryStore().unavailable(true);
  }
}
