package dev.extsvc.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Listening ports: a free one when the public URL must be known before the server starts; a busy
 * one refused.
 */
final class Ports {
  private Ports() {}

  /**
   * Ports {@link #free()} handed out: the system may give a port again once its socket is closed,
   * and two servers of one process would then be told the same one.
   */
  private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

  /** A free loopback port that no earlier call in this process returned. */
  static int free() {
    while (true) {
      try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        if (HANDED_OUT.add(s.getLocalPort())) {
          return s.getLocalPort();
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /**
   * Fails with one line naming the port and the fix when something already listens there, before a
   * server is started on it (Helidon would log a stack trace and carry on without a listener).
   */
  static void requireFree(String host, int port) {
    if (port == 0) {
      return;
    }
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true); // as the server binds: a port in TIME_WAIT is free
      s.bind(new InetSocketAddress(InetAddress.getByName(host), port), 1);
    } catch (BindException e) {
      throw new CliException(
          "port "
              + port
              + " is in use"
              + (isLoopback(host) ? "" : " on " + host)
              + ": choose another with --port");
    } catch (UnknownHostException e) {
      throw new CliException("cannot listen on " + host + ": unknown host; check --host");
    } catch (IOException e) {
      throw new CliException("cannot listen on " + host + ":" + port + ": " + e.getMessage());
    }
  }

  private static boolean isLoopback(String host) {
    return host.equals("127.0.0.1") || host.equals("localhost") || host.equals("::1");
  }
}
