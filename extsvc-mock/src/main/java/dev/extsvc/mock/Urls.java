package dev.extsvc.mock;

import java.net.URI;

/** Masking of callback URLs, which carry secret tokens, before they are logged or stored. */
final class Urls {
  /**
   * Segments this long look like tokens even when they are not last (a literal suffix can follow a
   * token).
   */
  private static final int TOKEN_LIKE_LENGTH = 16;

  private static final int KEPT = 4;

  private Urls() {}

  /**
   * "http://h:1/callbacks/abcdefgh/events?t=x" → "http://h:1/callbacks/abcd…/even…?…": the last
   * path segment and token-like ones keep 4 characters, and a query is hidden entirely.
   */
  static String mask(String url) {
    String withoutQuery = url;
    String query = "";
    int q = url.indexOf('?');
    if (q >= 0) {
      withoutQuery = url.substring(0, q);
      query = "?…";
    }
    int pathStart = pathStart(withoutQuery);
    String prefix = withoutQuery.substring(0, pathStart);
    String[] segments = withoutQuery.substring(pathStart).split("/", -1);
    StringBuilder out = new StringBuilder(prefix);
    for (int i = 0; i < segments.length; i++) {
      String s = segments[i];
      boolean last = i == segments.length - 1;
      if (i > 0) {
        out.append('/');
      }
      out.append((last && !s.isEmpty()) || s.length() >= TOKEN_LIKE_LENGTH ? maskSegment(s) : s);
    }
    return out.append(query).toString();
  }

  private static String maskSegment(String s) {
    return s.length() <= KEPT ? "…" : s.substring(0, KEPT) + "…";
  }

  private static int pathStart(String url) {
    int scheme = url.indexOf("://");
    if (scheme < 0) {
      return 0;
    }
    int slash = url.indexOf('/', scheme + 3);
    return slash < 0 ? url.length() : slash;
  }

  /** Whether the text is an absolute http(s) URL with a host: the only kind the mock calls. */
  static boolean callable(String url) {
    try {
      URI uri = URI.create(url);
      String scheme = uri.getScheme();
      return ("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme))
          && uri.getHost() != null;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
