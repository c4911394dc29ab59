package dev.extsvc.server.console;

import dev.extsvc.server.Json;
import io.helidon.http.HeaderNames;
import io.helidon.http.SetCookie;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The admin token: required when the server listens beyond loopback, or whenever one is configured
 * ({@value #HEALTH} excepted: liveness, no data). The API takes it as {@code Authorization: Bearer
 * TOKEN}; the console also from a login form or a one-time {@code ?token=}, after which a cookie
 * holds a value derived from it (never the token itself). Comparisons run in constant time.
 */
final class AdminAuth {
  static final String COOKIE = "extsvc_console";
  private static final Duration COOKIE_AGE = Duration.ofHours(12);

  private final byte @Nullable [] tokenHash;
  private final @Nullable String session;
  private final boolean required;

  private AdminAuth(@Nullable String token, boolean required) {
    this.tokenHash = token == null ? null : sha256("token\n" + token);
    this.session =
        token == null
            ? null
            : Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(sha256("extsvc console session\n" + token));
    this.required = required;
  }

  /** Loopback without a token stays open (a developer's machine); anything else needs the token. */
  static AdminAuth forListener(String host, @Nullable String token) {
    if (token != null && token.isBlank()) {
      throw new IllegalArgumentException("the admin token must not be blank");
    }
    return new AdminAuth(token, token != null || !isLoopback(host));
  }

  boolean required() {
    return required;
  }

  /** Whether the token is required but none is configured: then nothing gets in. */
  boolean locked() {
    return required && tokenHash == null;
  }

  boolean matches(@Nullable String presented) {
    return presented != null
        && tokenHash != null
        && MessageDigest.isEqual(tokenHash, sha256("token\n" + presented));
  }

  boolean sessionMatches(@Nullable String cookie) {
    return cookie != null
        && session != null
        && MessageDigest.isEqual(
            session.getBytes(StandardCharsets.UTF_8), cookie.getBytes(StandardCharsets.UTF_8));
  }

  /** Liveness for probes and load balancers: whether the server and its store answer, no data. */
  static final String HEALTH = "/api/health";

  /** A filter for /api: Bearer token or 401; the health check is open. */
  Handler apiFilter() {
    return (req, res) -> {
      if (!required || matches(bearer(req)) || req.path().path().equals(HEALTH)) {
        res.next();
        return;
      }
      res.status(locked() ? 403 : 401);
      if (!locked()) {
        res.header(HeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"extsvc\"");
      }
      res.header(HeaderNames.CONTENT_TYPE, "application/json");
      res.header(HeaderNames.CACHE_CONTROL, "no-store");
      res.send(
          Json.message(
              locked()
                  ? "The API is closed: the server listens beyond loopback and no admin token is configured"
                  : "An admin token is required: Authorization: Bearer TOKEN"));
    };
  }

  /** Whether a console request is let in (cookie, Bearer). */
  boolean consoleAllows(ServerRequest req) {
    return !required || sessionMatches(cookie(req).orElse(null)) || matches(bearer(req));
  }

  void setSession(ServerResponse res, boolean secure) {
    res.headers()
        .addCookie(
            SetCookie.builder(COOKIE, session == null ? "" : session)
                .path("/console")
                .httpOnly(true)
                .secure(secure)
                .sameSite(SetCookie.SameSite.STRICT)
                .maxAge(COOKIE_AGE)
                .build());
  }

  void clearSession(ServerResponse res) {
    res.headers()
        .addCookie(
            SetCookie.builder(COOKIE, "")
                .path("/console")
                .httpOnly(true)
                .sameSite(SetCookie.SameSite.STRICT)
                .maxAge(Duration.ZERO)
                .build());
  }

  static Optional<String> cookie(ServerRequest req) {
    return req.headers().cookies().first(COOKIE).asOptional();
  }

  private static @Nullable String bearer(ServerRequest req) {
    String value = req.headers().first(HeaderNames.AUTHORIZATION).orElse(null);
    if (value == null || value.length() < 7 || !value.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    return value.substring(7).trim();
  }

  private static boolean isLoopback(String host) {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  /** Never prints the token. */
  @Override
  public String toString() {
    return "AdminAuth[required="
        + required
        + ", token="
        + (tokenHash == null ? "none" : "****")
        + "]";
  }
}
