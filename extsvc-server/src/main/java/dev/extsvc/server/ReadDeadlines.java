package dev.extsvc.server;

import io.helidon.common.socket.HelidonSocket;
import io.helidon.common.socket.NioSocket;
import io.helidon.common.socket.PlainSocket;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.Http1ConnectionListener;
import java.io.IOException;
import java.lang.reflect.Field;
import java.net.Socket;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes the connections of clients too slow to serve: a request whose headers are not complete
 * within the header timeout of its request line, and a body that arrives slower than the minimum
 * rate once its grace has passed. Helidon closes a connection waiting for its request line itself
 * (its idle timeout), but not one stalled inside a request, and a socket read timeout does not end
 * a read Helidon is blocked in; so this watches each request from Helidon's connection listeners
 * (request line, headers) and closes the socket, or, for a body, shuts the socket's input: the
 * blocked read ends, and the route can still answer 408 on the open output. (Helidon's socket does
 * not offer its {@link SocketChannel}; it is read from the field once by reflection. Where that
 * fails, the reading virtual thread is interrupted instead, which closes the connection without an
 * answer.)
 */
final class ReadDeadlines implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ReadDeadlines.class);
  private static final long TICK_MS = 200;
  // Helidon's sockets keep the JDK's in a field named "delegate": a SocketChannel (NioSocket, what
  // the server uses) or a Socket (PlainSocket)
  private static final @Nullable Field CHANNEL =
      delegateField(NioSocket.class, SocketChannel.class);
  private static final @Nullable Field SOCKET = delegateField(PlainSocket.class, Socket.class);

  private final long headerNanos;
  private final int minBytesPerSecond;
  private final long graceNanos;
  private final Map<ConnectionContext, Connection> connections = new ConcurrentHashMap<>();
  // the same connections by "serverSocketId childSocketId", as a request names its own
  private final Map<String, Connection> byId = new ConcurrentHashMap<>();
  private final Set<BodyWatch> bodies = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService ticker =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().name("extsvc-read-deadlines").daemon(true).factory());
  private final AtomicLong closedInHeaders = new AtomicLong();
  private final AtomicLong closedInBody = new AtomicLong();

  ReadDeadlines(Duration headerTimeout, int minBodyBytesPerSecond, Duration bodyGrace) {
    this.headerNanos = headerTimeout.toNanos();
    this.minBytesPerSecond = minBodyBytesPerSecond;
    this.graceNanos = bodyGrace.toNanos();
    ticker.scheduleWithFixedDelay(this::tickQuietly, TICK_MS, TICK_MS, TimeUnit.MILLISECONDS);
  }

  /**
   * Told of each request line and each request's headers. (Helidon tells no listener of raw reads.)
   */
  Http1ConnectionListener receiveListener() {
    return new Http1ConnectionListener() {
      @Override
      public void prologue(ConnectionContext ctx, HttpPrologue prologue) {
        connections.computeIfAbsent(
                    ctx,
                    k -> {
                      Connection c = new Connection(k.serverSocket());
                      byId.put(id(k.socketId(), k.childSocketId()), c);
                      return c;
                    })
                .headersSince =
            System.nanoTime();
      }

      @Override
      public void headers(ConnectionContext ctx, Headers headers) {
        Connection c = connections.get(ctx);
        if (c != null) {
          c.headersSince = 0; // complete: from here the body reader watches the rate
        }
      }
    };
  }

  /**
   * Watches the body the calling thread is about to read from the connection named by Helidon's
   * socket ids; close it when the read is over.
   */
  BodyWatch watchBody(String serverSocketId, String socketId) {
    Connection c = byId.get(id(serverSocketId, socketId));
    BodyWatch w =
        new BodyWatch(Thread.currentThread(), c == null ? null : c.socket, System.nanoTime());
    bodies.add(w);
    return w;
  }

  long closedInHeaders() {
    return closedInHeaders.get();
  }

  long closedInBody() {
    return closedInBody.get();
  }

  private void tickQuietly() {
    try {
      tick(System.nanoTime());
    } catch (RuntimeException e) {
      log.warn("Read deadline check failed", e);
    }
  }

  private void tick(long now) {
    connections
        .entrySet()
        .removeIf(
            e -> {
              Connection c = e.getValue();
              if (!c.socket.isConnected()) {
                byId.remove(id(e.getKey().socketId(), e.getKey().childSocketId()));
                return true;
              }
              long since = c.headersSince;
              if (since != 0 && now - since > headerNanos) {
                closedInHeaders.incrementAndGet();
                log.debug(
                    "Closing connection {}: request headers not complete in time",
                    e.getKey().childSocketId());
                c.socket.close();
                byId.remove(id(e.getKey().socketId(), e.getKey().childSocketId()));
                return true;
              }
              return false;
            });
    for (BodyWatch w : bodies) {
      long elapsed = now - w.started;
      if (elapsed > graceNanos && w.bytes < minBytesPerSecond * ((elapsed - graceNanos) / 1e9)) {
        if (w.kill()) {
          closedInBody.incrementAndGet();
          log.debug("Closing a connection: request body slower than {} bytes/s", minBytesPerSecond);
        }
        bodies.remove(w);
      }
    }
  }

  @Override
  public void close() {
    ticker.shutdownNow();
  }

  private static String id(String serverSocketId, String childSocketId) {
    return serverSocketId + " " + childSocketId;
  }

  private static @Nullable Field delegateField(Class<?> owner, Class<?> type) {
    try {
      Field f = owner.getDeclaredField("delegate");
      f.setAccessible(true);
      return f.getType() == type ? f : null;
    } catch (ReflectiveOperationException | RuntimeException e) {
      log.debug(
          "Slow bodies on {} will be cut by interrupting their reader: {}", owner, e.toString());
      return null;
    }
  }

  /** Ends a blocked read on {@code socket} with end-of-stream, the output left open. */
  private static boolean shutInput(@Nullable HelidonSocket socket) {
    try {
      if (CHANNEL != null && socket instanceof NioSocket nio) {
        ((SocketChannel) CHANNEL.get(nio)).shutdownInput();
        return true;
      }
      if (SOCKET != null && socket instanceof PlainSocket plain) {
        ((Socket) SOCKET.get(plain)).shutdownInput();
        return true;
      }
      return false;
    } catch (IllegalAccessException | IOException | RuntimeException e) {
      return false;
    }
  }

  /** One connection: since when its request's headers are awaited (0: not awaited). */
  private static final class Connection {
    final HelidonSocket socket;
    volatile long headersSince;

    Connection(HelidonSocket socket) {
      this.socket = socket;
    }
  }

  /** One body being read; the interrupt happens only while the read is on, never after. */
  final class BodyWatch implements AutoCloseable {
    private final Thread reader;
    private final @Nullable HelidonSocket socket;
    private final long started;
    private final ReentrantLock lock = new ReentrantLock();
    private volatile long bytes;
    private boolean done;
    private boolean killed;
    private boolean inputShut;

    private BodyWatch(Thread reader, @Nullable HelidonSocket socket, long started) {
      this.reader = reader;
      this.socket = socket;
      this.started = started;
    }

    void progress(int n) {
      bytes += n;
    }

    private boolean kill() {
      lock.lock();
      try {
        if (done) {
          return false;
        }
        killed = true;
        inputShut = shutInput(socket);
        if (!inputShut) {
          reader.interrupt(); // a virtual thread blocked on its channel: the channel closes, the
          // read fails
        }
        return true;
      } finally {
        lock.unlock();
      }
    }

    /** Whether the read was cut by shutting the input only: an answer can still go out. */
    boolean answerable() {
      lock.lock();
      try {
        return killed && inputShut;
      } finally {
        lock.unlock();
      }
    }

    /** Whether the read was cut for being too slow. */
    boolean killed() {
      lock.lock();
      try {
        return killed;
      } finally {
        lock.unlock();
      }
    }

    @Override
    public void close() {
      lock.lock();
      try {
        done = true;
        if (killed && !inputShut) {
          Thread.interrupted(); // the interrupt was ours; the connection is closed already
        }
      } finally {
        lock.unlock();
      }
      bodies.remove(this);
    }
  }
}
