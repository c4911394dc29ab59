package dev.extsvc.runtime.receive;

import dev.extsvc.runtime.CallbackRequest;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Who sent a callback, as far as this runtime can trust it: the direct peer, unless the peer is a
 * configured trusted proxy; then the rightmost hop of {@code Forwarded} (RFC 7239) or, without it,
 * {@code X-Forwarded-For} that is not itself a trusted proxy. Headers from any other peer are
 * ignored, so a client cannot choose the address it is counted under. Only address literals are
 * read (never a name to resolve).
 */
final class ClientAddresses {
  /** A block of addresses written as "10.0.0.0/8", "fd00::/8" or a single address. */
  record Block(byte[] network, int prefix) {
    static Block parse(String text) {
      int slash = text.indexOf('/');
      String host = (slash < 0 ? text : text.substring(0, slash)).strip();
      InetAddress address = literal(host);
      if (address == null) {
        throw new IllegalArgumentException(
            "trusted proxy '" + text + "' is not an address or block such as 10.0.0.0/8");
      }
      int bits = address.getAddress().length * 8;
      int prefix;
      try {
        prefix = slash < 0 ? bits : Integer.parseInt(text.substring(slash + 1).strip());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("trusted proxy '" + text + "' has no valid prefix");
      }
      if (prefix < 0 || prefix > bits) {
        throw new IllegalArgumentException(
            "trusted proxy '" + text + "' has a prefix length outside 0.." + bits);
      }
      return new Block(address.getAddress(), prefix);
    }

    boolean contains(InetAddress a) {
      byte[] x = a.getAddress();
      if (x.length != network.length) {
        return false;
      }
      int shift = network.length * 8 - prefix;
      return new BigInteger(1, network)
          .shiftRight(shift)
          .equals(new BigInteger(1, x).shiftRight(shift));
    }
  }

  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

  private final List<Block> trusted;

  ClientAddresses(List<String> trustedProxies) {
    this.trusted = trustedProxies.stream().map(Block::parse).toList();
  }

  /** The address the request is counted under. */
  String of(CallbackRequest request) {
    String peer = normalise(request.remoteAddress());
    if (trusted.isEmpty() || !isTrusted(peer)) {
      return peer;
    }
    List<String> forwarded = values(request.headers(), "forwarded");
    List<String> hops =
        forwarded.isEmpty()
            ? xForwardedFor(values(request.headers(), "x-forwarded-for"))
            : forwardedFor(forwarded);
    String reporter = peer;
    for (int i = hops.size() - 1; i >= 0; i--) {
      String hop = hops.get(i);
      if (literal(hop) == null) {
        // "unknown", an obfuscated "_name" or garbage: nothing to key on but the proxy that wrote
        // it
        return reporter;
      }
      if (!isTrusted(hop)) {
        return hop;
      }
      reporter = hop;
    }
    return reporter; // every hop a trusted proxy: the leftmost one is the client
  }

  private boolean isTrusted(String address) {
    InetAddress a = literal(address);
    return a != null && trusted.stream().anyMatch(b -> b.contains(a));
  }

  /** The hops of X-Forwarded-For, left to right, each without port or brackets. */
  static List<String> xForwardedFor(List<String> headerValues) {
    List<String> hops = new ArrayList<>();
    for (String value : headerValues) {
      for (String part : value.split(",", -1)) {
        hops.add(normalise(part.strip()));
      }
    }
    return hops;
  }

  /**
   * The {@code for=} values of Forwarded, left to right, each without quotes, port or brackets; an
   * element without {@code for=} counts as an unknown hop.
   */
  static List<String> forwardedFor(List<String> headerValues) {
    List<String> hops = new ArrayList<>();
    for (String value : headerValues) {
      for (String element : splitOutsideQuotes(value, ',')) {
        String hop = "unknown";
        for (String pair : splitOutsideQuotes(element, ';')) {
          int eq = pair.indexOf('=');
          if (eq > 0 && pair.substring(0, eq).strip().equalsIgnoreCase("for")) {
            String v = pair.substring(eq + 1).strip();
            if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
              v = v.substring(1, v.length() - 1).replace("\\\"", "\"");
            }
            hop = normalise(v);
          }
        }
        hops.add(hop);
      }
    }
    return hops;
  }

  private static List<String> splitOutsideQuotes(String text, char separator) {
    List<String> parts = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '"' && (i == 0 || text.charAt(i - 1) != '\\')) {
        quoted = !quoted;
      }
      if (c == separator && !quoted) {
        parts.add(current.toString());
        current.setLength(0);
      } else {
        current.append(c);
      }
    }
    parts.add(current.toString());
    return parts;
  }

  /**
   * An address without brackets, port or zone: "[2001:db8::1]:4711" → "2001:db8::1",
   * "192.0.2.1:8080" → "192.0.2.1"; anything else as it is, lower case.
   */
  static String normalise(String address) {
    String a = address.strip();
    if (a.startsWith("/")) {
      a = a.substring(1); // InetAddress.toString() of an address without a name
    }
    if (a.startsWith("[")) {
      int close = a.indexOf(']');
      a = close < 0 ? a.substring(1) : a.substring(1, close);
    } else if (a.indexOf(':') == a.lastIndexOf(':') && a.indexOf(':') > 0) {
      a = a.substring(0, a.indexOf(':')); // IPv4 with a port
    }
    int zone = a.indexOf('%');
    if (zone >= 0) {
      a = a.substring(0, zone);
    }
    InetAddress literal = literal(a);
    return literal != null ? literal.getHostAddress() : a.toLowerCase(Locale.ROOT);
  }

  /** The address a literal stands for, or null for anything else (no name is ever resolved). */
  static @Nullable InetAddress literal(String text) {
    try {
      if (IPV4.matcher(text).matches()) {
        String[] parts = text.split("\\.");
        byte[] bytes = new byte[4];
        for (int i = 0; i < 4; i++) {
          int n = Integer.parseInt(parts[i]);
          if (n > 255) {
            return null;
          }
          bytes[i] = (byte) n;
        }
        return InetAddress.getByAddress(bytes);
      }
      // only hex digits, colons and dots: an IPv6 literal, parsed by the JDK without a lookup
      return IPV6.matcher(text).matches() ? InetAddress.getByName(text) : null;
    } catch (UnknownHostException | IllegalArgumentException e) {
      return null;
    }
  }

  private static List<String> values(Map<String, List<String>> headers, String name) {
    List<String> out = new ArrayList<>();
    headers.forEach(
        (k, v) -> {
          if (k.equalsIgnoreCase(name)) {
            out.addAll(v);
          }
        });
    return out;
  }
}
