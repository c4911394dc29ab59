package dev.extsvc.runtime.receive;

import dev.extsvc.runtime.store.Store;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The global storage quota: the bytes of all stored callback bodies, read from the store at most
 * every {@link #REFRESH} (a sum over the table is too dear per callback) plus what this node stored
 * since. Other nodes' writes show at the next read, so a cluster may pass the quota by what its
 * nodes store within one refresh.
 */
final class StoredBytes {
  static final Duration REFRESH = Duration.ofSeconds(10);

  private final Store store;
  private final long quota;
  private final AtomicLong addedSinceRead = new AtomicLong();
  private volatile long read;
  private volatile long readAtNanos;
  private volatile boolean everRead;

  /**
   * @param quota bytes in all; 0 for no bound (the store is then never asked)
   */
  StoredBytes(Store store, long quota) {
    this.store = store;
    this.quota = quota;
  }

  long quota() {
    return quota;
  }

  /** Whether a body of this many bytes may still be stored. */
  boolean fits(long bytes) {
    if (quota == 0) {
      return true;
    }
    long now = System.nanoTime();
    if (!everRead || now - readAtNanos >= REFRESH.toNanos()) {
      read = store.callbackBytes();
      addedSinceRead.set(0);
      readAtNanos = now;
      everRead = true;
    }
    return read + addedSinceRead.get() + bytes <= quota;
  }

  void stored(long bytes) {
    if (quota > 0) {
      addedSinceRead.addAndGet(bytes);
    }
  }
}
