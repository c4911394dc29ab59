package dev.extsvc.bench;

import dev.extsvc.runtime.ExternalServices;
import dev.extsvc.runtime.store.Store;
import dev.extsvc.server.ExtsvcServer;
import dev.extsvc.store.jdbc.JdbcStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/**
 * The server process of the fault suite: {@code ExternalServices} and {@code ExtsvcServer} on the
 * suite's store, as {@code extsvc serve} runs them, with a test-only fault knob. With {@code
 * -Dfault.point=P -Dfault.at=N} it halts the N-th time the callback path reaches point P. It also
 * halts when its standard input closes, so it never outlives the driver.
 *
 * <p>Arguments: {@code sqlite FILE | postgresql URL}, port, journal file, incarnation number.
 */
final class FaultTarget {
  /** Exit code of a halt at a fault point, told apart from SIGKILL's 137. */
  static final int HALT_CODE = 99;

  private static final @Nullable FaultPoint POINT =
      System.getProperty("fault.point") == null
          ? null
          : FaultPoint.valueOf(System.getProperty("fault.point"));
  private static final int AT = Integer.getInteger("fault.at", 1);
  private static final AtomicInteger REACHED = new AtomicInteger();

  // Set by main() before the server starts.
  private static volatile @Nullable Store store;
  private static volatile @Nullable FaultJournal journal;
  private static volatile int incarnation;

  private FaultTarget() {}

  public static void main(String[] args) throws Exception {
    Thread watchdog =
        new Thread(
            () -> {
              try {
                while (System.in.read() >= 0) {
                  // the driver writes nothing; end of input means it is gone
                }
              } catch (java.io.IOException ignored) {
                // same as end of input
              }
              Runtime.getRuntime().halt(3);
            },
            "fault-stdin");
    watchdog.setDaemon(true);
    watchdog.start();

    int port = Integer.parseInt(args[2]);
    incarnation = Integer.parseInt(args[4]);
    journal = new FaultJournal(Path.of(args[3]));
    JdbcStore jdbc =
        args[0].equals("sqlite")
            ? JdbcStore.sqlite(Path.of(args[1]))
            : JdbcStore.postgres(args[1], "postgres", "postgres");
    Store faulty = faulty(jdbc);
    store = faulty;
    ExternalServices services =
        ExternalServices.builder()
            .store(faulty)
            .publicBaseUrl("http://127.0.0.1:" + port)
            .allowHandlerPackage("dev.extsvc.bench")
            // A callback stored by a killed process is picked up after this grace; its lease
            // expires after this long.
            .recoveryGrace(Duration.ofSeconds(2))
            .callbackLease(Duration.ofSeconds(3))
            .build();
    ExtsvcServer.builder(services).port(port).build().start();
    System.out.println(
        "fault-target ready incarnation=" + incarnation + " point=" + POINT + " at=" + AT);
    System.out.flush();
    Thread.currentThread().join(); // until killed
  }

  static Store store() {
    return Objects.requireNonNull(store, "main() sets it");
  }

  static FaultJournal journal() {
    return Objects.requireNonNull(journal, "main() sets it");
  }

  static int incarnation() {
    return incarnation;
  }

  /** Halts the process when this is the chosen point and its chosen occurrence. */
  static void reach(FaultPoint point) {
    if (point == POINT && REACHED.incrementAndGet() == AT) {
      halt(point);
    }
  }

  private static void halt(FaultPoint point) {
    System.out.println("fault-target halting at " + point);
    System.out.flush();
    Runtime.getRuntime().halt(HALT_CODE);
  }

  /** The store with fault points around storing a callback and completing it. */
  private static Store faulty(Store delegate) {
    return (Store)
        Proxy.newProxyInstance(
            Store.class.getClassLoader(),
            new Class<?>[] {Store.class},
            (proxy, method, methodArgs) -> {
              String name = method.getName();
              if (name.equals("insertCallback")) {
                reach(FaultPoint.BEFORE_STORE);
                if (POINT == FaultPoint.DURING_STORE && REACHED.incrementAndGet() == AT) {
                  long delay =
                      ThreadLocalRandom.current().nextLong(TimeUnit.MILLISECONDS.toNanos(3));
                  Thread.ofPlatform()
                      .daemon()
                      .start(
                          () -> {
                            LockSupport.parkNanos(delay);
                            halt(FaultPoint.DURING_STORE);
                          });
                }
              } else if (name.equals("completeWithCallback")) {
                reach(FaultPoint.BEFORE_COMPLETE);
              }
              Object result;
              try {
                result = method.invoke(delegate, methodArgs);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
              if (name.equals("insertCallback")) {
                reach(FaultPoint.AFTER_STORE);
              } else if (name.equals("completeWithCallback")) {
                reach(FaultPoint.AFTER_COMPLETE);
              }
              return result;
            });
  }
}
