package dev.extsvc.store.jdbc;

import dev.extsvc.runtime.store.Store;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listens on PostgreSQL's channel {@value #CHANNEL}, which the V5 trigger on {@code
 * extsvc_services} notifies, on one connection of the pool held for it by a daemon thread, and
 * calls back on each notification. After a lost connection it reconnects (every {@link #RETRY}) and
 * calls back once, since notifications sent meanwhile are gone; the nodes' version check covers the
 * gap.
 */
final class ServicesListener implements Store.Watch {
  static final String CHANNEL = "extsvc_services";

  /** How long one wait for notifications lasts: also how soon {@link #close()} takes effect. */
  private static final int WAIT_MILLIS = 500;

  private static final Duration RETRY = Duration.ofSeconds(2);
  private static final Logger log = LoggerFactory.getLogger(ServicesListener.class);

  private final DataSource source;
  private final Runnable changed;
  private final Thread thread;
  private volatile boolean closed;

  private ServicesListener(DataSource source, Runnable changed) {
    this.source = source;
    this.changed = changed;
    this.thread = new Thread(this::run, "extsvc-services-listener");
    this.thread.setDaemon(true);
  }

  static ServicesListener start(DataSource source, Runnable changed) {
    ServicesListener listener = new ServicesListener(source, changed);
    listener.thread.start();
    return listener;
  }

  private void run() {
    boolean failedBefore = false;
    while (!closed) {
      try (Connection connection = source.getConnection()) {
        PGConnection pg = connection.unwrap(PGConnection.class);
        try (Statement s = connection.createStatement()) {
          s.execute("LISTEN " + CHANNEL);
        }
        if (failedBefore) {
          log.info("Listening for service changes again");
        }
        failedBefore = false;
        changed.run(); // whatever changed before LISTEN took effect
        while (!closed) {
          PGNotification[] notifications = pg.getNotifications(WAIT_MILLIS);
          if (notifications != null && notifications.length > 0) {
            changed.run();
          }
        }
      } catch (SQLException | RuntimeException e) {
        if (closed) {
          return;
        }
        if (!failedBefore) {
          log.warn(
              "Not listening for service changes ({}); retrying every {} s, the version check"
                  + " covers the gap",
              e.getMessage(),
              RETRY.toSeconds());
        }
        failedBefore = true;
        try {
          Thread.sleep(RETRY);
        } catch (InterruptedException interrupted) {
          return;
        }
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    thread.interrupt();
    try {
      thread.join(Duration.ofMillis(2 * WAIT_MILLIS));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
