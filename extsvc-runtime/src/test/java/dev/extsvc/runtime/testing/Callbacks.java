package dev.extsvc.runtime.testing;

import dev.extsvc.runtime.CallbackRequest;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Builds the {@link CallbackRequest} a web server would hand the receiver for a callback sent to a
 * URL the runtime wrote, so tests call {@code services.receiver().handle(...)} without any HTTP
 * server: {@code receiver.handle(Callbacks.post(url, "{...}"))}.
 */
public final class Callbacks {
  /** The remote address requests come from unless one is given. */
  public static final String SENDER = "192.0.2.10";

  private final String method;
  private final String path;
  private final Map<String, List<String>> headers = new LinkedHashMap<>();
  private byte[] body = new byte[0];
  private boolean tooLarge;
  private String remoteAddress = SENDER;

  private Callbacks(String method, String path) {
    this.method = method;
    this.path = path;
  }

  /** A JSON POST to a callback URL (under the default {@code /callbacks} path). */
  public static CallbackRequest post(String callbackUrl, String json) {
    return to("POST", callbackUrl).json(json).build();
  }

  /** A request to a callback URL whose callback path is the default {@code /callbacks}. */
  public static Callbacks to(String method, String callbackUrl) {
    return to(method, callbackUrl, "/callbacks");
  }

  /**
   * A request to a callback URL: what follows {@code callbackPath} in it (the token, any suffix,
   * any query) becomes the request's path, as a server mounted at that path passes it on.
   */
  public static Callbacks to(String method, String callbackUrl, String callbackPath) {
    URI uri = URI.create(callbackUrl);
    String full = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    int at = full.indexOf(callbackPath + "/");
    if (at < 0) {
      throw new IllegalArgumentException("'" + callbackUrl + "' is not under " + callbackPath);
    }
    return new Callbacks(method, full.substring(at + callbackPath.length() + 1));
  }

  /** A request with this path after the callback prefix (a made-up token, say). */
  public static Callbacks atPath(String method, String path) {
    return new Callbacks(method, path);
  }

  /** Adds a header (several calls with one name add values). */
  public Callbacks header(String name, String value) {
    headers.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
    return this;
  }

  /** The body as UTF-8 with {@code Content-Type: application/json}. */
  public Callbacks json(String json) {
    return header("Content-Type", "application/json").body(json.getBytes(StandardCharsets.UTF_8));
  }

  /** The body as bytes (no content type is added). */
  public Callbacks body(byte[] bytes) {
    this.body = bytes.clone();
    return this;
  }

  /** No body at all: what a server passes when the body was larger than its limit. */
  public Callbacks tooLarge() {
    this.tooLarge = true;
    return this;
  }

  /** Where the request comes from (the receiver counts unknown tokens per address). */
  public Callbacks from(String address) {
    this.remoteAddress = Objects.requireNonNull(address, "address");
    return this;
  }

  public CallbackRequest build() {
    Map<String, List<String>> copy = new LinkedHashMap<>();
    headers.forEach((k, v) -> copy.put(k, List.copyOf(v)));
    return new CallbackRequest(method, path, copy, tooLarge ? null : body.clone(), remoteAddress);
  }
}
