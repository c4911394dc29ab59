package dev.extsvc.runtime.support;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which header and query parameter names carry secrets, so that their values are masked wherever
 * they are kept or shown (stored request, stored callback headers, API, console, events) and only
 * the real callout carries them: {@code Authorization}, {@code Proxy-Authorization}, {@code
 * Cookie}, {@code Set-Cookie}, any name containing key, token, secret, password, passwd, signature
 * or credential (but {@code Idempotency-Key}, which only tells repeats apart), and the names
 * configured in addition (exact, ignoring case).
 */
public final class SecretNames {
  /** What a masked value is replaced with. */
  public static final String MASK = "****";

  /** The built-in names only. */
  public static final SecretNames DEFAULTS = new SecretNames(List.of());

  private static final Set<String> EXACT =
      Set.of("authorization", "proxy-authorization", "cookie", "set-cookie");
  private static final List<String> PARTS =
      List.of("key", "token", "secret", "password", "passwd", "signature", "credential");
  private static final Set<String> NOT_SECRET = Set.of("idempotency-key");

  private final Set<String> extra = new TreeSet<>();

  /**
   * @param extraNames further names to mask, matched exactly ignoring case (e.g. "X-Tenant", "sig")
   */
  public SecretNames(List<String> extraNames) {
    for (String name : extraNames) {
      String n = name.strip().toLowerCase(Locale.ROOT);
      if (n.isEmpty()) {
        throw new IllegalArgumentException("a name to mask must not be empty");
      }
      extra.add(n);
    }
  }

  /** Whether a value under this header or query parameter name is masked. */
  public boolean secret(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    if (EXACT.contains(n) || extra.contains(n)) {
      return true;
    }
    if (NOT_SECRET.contains(n)) {
      return false;
    }
    for (String part : PARTS) { // a loop, not a stream: called for every stored name and key
      if (n.contains(part)) {
        return true;
      }
    }
    return false;
  }

  /** The value to keep or show for this name: the value itself, or {@link #MASK}. */
  public String shown(String name, String value) {
    return secret(name) ? MASK : value;
  }

  /** A copy of the map with secret names' values masked, in the same order. */
  public <V> Map<String, Object> masked(Map<String, V> values) {
    Map<String, Object> out = new LinkedHashMap<>();
    values.forEach((k, v) -> out.put(k, secret(k) ? MASK : v));
    return out;
  }
}
