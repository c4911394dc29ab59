package dev.extsvc.server.console;

import io.helidon.webserver.http.ServerRequest;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.StringJoiner;
import org.jspecify.annotations.Nullable;

/**
 * HTML form bodies, query strings and the same-origin check that keeps other sites from posting our
 * forms.
 */
final class Forms {
  private Forms() {}

  /**
   * Reads an application/x-www-form-urlencoded body of at most max bytes; null when it is larger.
   */
  static @Nullable Map<String, String> read(ServerRequest req, int max) throws IOException {
    if (!req.content().hasEntity()) {
      return Map.of();
    }
    byte[] bytes;
    try (InputStream in = req.content().inputStream()) {
      bytes = in.readNBytes(max + 1);
    }
    if (bytes.length > max) {
      return null;
    }
    Map<String, String> out = new HashMap<>();
    for (String pair : new String(bytes, StandardCharsets.US_ASCII).split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name = decode(eq < 0 ? pair : pair.substring(0, eq));
      out.putIfAbsent(name, eq < 0 ? "" : decode(pair.substring(eq + 1)));
    }
    return out;
  }

  /** "?a=1&b=2" of the non-blank values, in the order given; "" when none. */
  static String query(String... namesAndValues) {
    StringJoiner q = new StringJoiner("&", "?", "").setEmptyValue("");
    for (int i = 0; i + 1 < namesAndValues.length; i += 2) {
      String value = namesAndValues[i + 1];
      if (value != null && !value.isBlank()) {
        q.add(namesAndValues[i] + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8));
      }
    }
    return q.toString();
  }

  /**
   * A browser names the page a form came from in Origin (or Referer); a form posted from another
   * site names that site. Clients that send neither are not browsers, and the token guards them.
   */
  static boolean sameOrigin(ServerRequest req) {
    String host = req.headers().first(io.helidon.http.HeaderNames.HOST).orElse("");
    String origin =
        req.headers()
            .first(io.helidon.http.HeaderNames.ORIGIN)
            .or(() -> req.headers().first(io.helidon.http.HeaderNames.REFERER))
            .orElse(null);
    if (origin == null) {
      return true;
    }
    try {
      URI uri = URI.create(origin);
      String authority = uri.getRawAuthority();
      return authority != null && authority.equalsIgnoreCase(host);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** Only paths of the console itself, never another host ("//evil" or "/\evil"). */
  static String safeNext(@Nullable String next) {
    if (next == null
        || !next.startsWith("/console")
        || next.contains("//")
        || next.contains("\\")) {
      return "/console";
    }
    return next;
  }

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return "";
    }
  }
}
