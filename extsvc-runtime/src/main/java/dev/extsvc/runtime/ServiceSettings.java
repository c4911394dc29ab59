package dev.extsvc.runtime;

import dev.extsvc.spec.CallbackRole;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * How callouts to one service are made. Built with {@code ExternalServices.builder().service(name,
 * s -> ...)}; whatever is left unset takes the runtime-wide value.
 *
 * @param endpoint the base URL callouts go to; the only place they go
 * @param credentials names of the credentials used on every callout, in order
 * @param readTimeout time to the answer's headers; null for the total timeout
 * @param totalTimeout time for the whole callout, body included; null for the runtime's sync
 *     timeout
 * @param maxResponseBytes answers larger than this fail the callout
 * @param allowPrivateNetwork whether this service's endpoint may be a loopback or private address
 *     (an operator who configures {@code http://127.0.0.1:9090} means it)
 * @param callbackRoles per operation and callback key, a role that overrides the document's ({@code
 *     x-extsvc-final}, {@code x-extsvc-heartbeat}), for specs the user cannot edit
 */
public record ServiceSettings(
    String service,
    @Nullable String endpoint,
    List<String> credentials,
    @Nullable Duration connectTimeout,
    @Nullable Duration readTimeout,
    @Nullable Duration totalTimeout,
    @Nullable Duration defaultCallbackTimeout,
    @Nullable Duration maxCallbackTimeout,
    long maxResponseBytes,
    boolean allowPrivateNetwork,
    Map<String, Map<String, CallbackRole>> callbackRoles) {

  /** Answers larger than this fail the callout unless configured otherwise. */
  public static final long DEFAULT_MAX_RESPONSE_BYTES = 4L * 1024 * 1024;

  public ServiceSettings {
    Objects.requireNonNull(service, "service");
    if (endpoint != null) {
      URI uri;
      try {
        uri = URI.create(endpoint);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "service " + service + ": endpoint '" + endpoint + "' is not a URL");
      }
      if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())
          || uri.getHost() == null) {
        throw new IllegalArgumentException(
            "service "
                + service
                + ": endpoint '"
                + endpoint
                + "' must be an absolute http or https URL");
      }
      if (uri.getRawQuery() != null
          || uri.getRawFragment() != null
          || uri.getRawUserInfo() != null) {
        throw new IllegalArgumentException(
            "service "
                + service
                + ": endpoint must not carry a query, fragment or user info (use a credential)");
      }
    }
    credentials = List.copyOf(credentials);
    positiveOrNull(connectTimeout, "connectTimeout", service);
    positiveOrNull(readTimeout, "readTimeout", service);
    positiveOrNull(totalTimeout, "totalTimeout", service);
    positiveOrNull(defaultCallbackTimeout, "defaultCallbackTimeout", service);
    positiveOrNull(maxCallbackTimeout, "maxCallbackTimeout", service);
    if (readTimeout != null && totalTimeout != null && readTimeout.compareTo(totalTimeout) > 0) {
      throw new IllegalArgumentException(
          "service " + service + ": readTimeout exceeds totalTimeout");
    }
    if (defaultCallbackTimeout != null
        && maxCallbackTimeout != null
        && defaultCallbackTimeout.compareTo(maxCallbackTimeout) > 0) {
      throw new IllegalArgumentException(
          "service " + service + ": defaultCallbackTimeout exceeds maxCallbackTimeout");
    }
    Map<String, Map<String, CallbackRole>> roles = new TreeMap<>();
    callbackRoles.forEach((op, byKey) -> roles.put(op, Map.copyOf(new TreeMap<>(byKey))));
    callbackRoles = Collections.unmodifiableMap(roles);
    if (maxResponseBytes < 1) {
      throw new IllegalArgumentException(
          "service " + service + ": maxResponseBytes must be positive");
    }
  }

  /**
   * A builder for settings made outside {@code ExternalServices.builder()}, such as from a
   * configuration file.
   */
  public static Builder builder(String service) {
    return new Builder(service);
  }

  private static void positiveOrNull(@Nullable Duration d, String name, String service) {
    if (d != null && (d.isNegative() || d.isZero())) {
      throw new IllegalArgumentException("service " + service + ": " + name + " must be positive");
    }
  }

  /** Builds {@link ServiceSettings}; every setting is optional. */
  public static final class Builder {
    private final String service;
    private @Nullable String endpoint;
    private final List<String> credentials = new ArrayList<>();
    private @Nullable Duration connectTimeout;
    private @Nullable Duration readTimeout;
    private @Nullable Duration totalTimeout;
    private @Nullable Duration defaultCallbackTimeout;
    private @Nullable Duration maxCallbackTimeout;
    private long maxResponseBytes = DEFAULT_MAX_RESPONSE_BYTES;
    private boolean allowPrivateNetwork;
    private final Map<String, Map<String, CallbackRole>> callbackRoles = new TreeMap<>();

    Builder(String service) {
      this.service = service;
    }

    Builder(ServiceSettings s) {
      this.service = s.service;
      this.endpoint = s.endpoint;
      this.credentials.addAll(s.credentials);
      this.connectTimeout = s.connectTimeout;
      this.readTimeout = s.readTimeout;
      this.totalTimeout = s.totalTimeout;
      this.defaultCallbackTimeout = s.defaultCallbackTimeout;
      this.maxCallbackTimeout = s.maxCallbackTimeout;
      this.maxResponseBytes = s.maxResponseBytes;
      this.allowPrivateNetwork = s.allowPrivateNetwork;
      s.callbackRoles.forEach((op, byKey) -> this.callbackRoles.put(op, new TreeMap<>(byKey)));
    }

    public Builder endpoint(String baseUrl) {
      this.endpoint = baseUrl;
      return this;
    }

    /**
     * Uses a credential (registered with {@code ExternalServices.Builder.credential}) on every
     * callout.
     */
    public Builder credential(String name) {
      if (!credentials.contains(name)) {
        credentials.add(name);
      }
      return this;
    }

    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = timeout;
      return this;
    }

    public Builder readTimeout(Duration timeout) {
      this.readTimeout = timeout;
      return this;
    }

    public Builder totalTimeout(Duration timeout) {
      this.totalTimeout = timeout;
      return this;
    }

    public Builder defaultCallbackTimeout(Duration timeout) {
      this.defaultCallbackTimeout = timeout;
      return this;
    }

    public Builder maxCallbackTimeout(Duration timeout) {
      this.maxCallbackTimeout = timeout;
      return this;
    }

    public Builder maxResponseBytes(long bytes) {
      this.maxResponseBytes = bytes;
      return this;
    }

    public Builder allowPrivateNetwork(boolean allow) {
      this.allowPrivateNetwork = allow;
      return this;
    }

    /**
     * Gives a callback key of an operation a role, overriding the document's: {@link
     * CallbackRole#PROGRESS} for a key whose callbacks report progress (the invocation stays
     * PENDING), {@link CallbackRole#heartbeat(Duration)} for one whose callbacks also move the
     * deadline, {@link CallbackRole#FINAL} for one that completes it. Registration warns about a
     * key the document does not declare.
     */
    public Builder callbackRole(String operation, String key, CallbackRole role) {
      Objects.requireNonNull(role, "role");
      if (operation.isBlank() || key.isBlank()) {
        throw new IllegalArgumentException(
            "service " + service + ": a callback role needs an operation and a key");
      }
      callbackRoles.computeIfAbsent(operation, o -> new TreeMap<>()).put(key, role);
      return this;
    }

    public ServiceSettings build() {
      return new ServiceSettings(
          service,
          endpoint,
          credentials,
          connectTimeout,
          readTimeout,
          totalTimeout,
          defaultCallbackTimeout,
          maxCallbackTimeout,
          maxResponseBytes,
          allowPrivateNetwork,
          callbackRoles);
    }
  }
}
