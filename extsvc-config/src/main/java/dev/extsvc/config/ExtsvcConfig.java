package dev.extsvc.config;

import dev.extsvc.runtime.AlertRules;
import dev.extsvc.runtime.ExternalServices;
import dev.extsvc.runtime.Limits;
import dev.extsvc.runtime.credentials.Credential;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The whole of {@code extsvc.yaml}, validated: server, outbound rules, callback limits and
 * timeouts, named credentials (secrets as references) and services. Load it with {@link #load},
 * then {@link #configure} a runtime builder with it.
 *
 * @param defaultCallbackTimeout null for the runtime's default (24 h)
 * @param maxCallbackTimeout null for the runtime's default (24 h)
 * @param handlers the handler types every node allows
 * @param safety masking, trusted proxies, storage quotas and the unknown-token limit
 * @param alerts the alert rules and webhook ({@code alerts})
 * @param cluster heartbeats, node timeout, lease and recovery grace of nodes sharing one store
 * @param earlyCallbackHold how long a callback that reaches a shared address before its invocation
 *     is held ({@code callbacks.earlyCallbackHold}); null for the runtime's default (10 min)
 */
public record ExtsvcConfig(
    ServerConfig server,
    OutboundConfig outbound,
    Limits limits,
    @Nullable Duration defaultCallbackTimeout,
    @Nullable Duration maxCallbackTimeout,
    Map<String, Credential> credentials,
    Map<String, ServiceConfig> services,
    HandlersConfig handlers,
    SafetyConfig safety,
    AlertRules alerts,
    ClusterConfig cluster,
    @Nullable Duration earlyCallbackHold) {

  /**
   * Reads a duration as the file writes one: "30s", "5m", "4h", "2d", "500ms" or ISO-8601 such as
   * "PT30S" (for command-line options that take the same forms).
   *
   * @throws IllegalArgumentException naming the forms
   */
  public static Duration duration(String text) {
    Duration d = ConfigReader.parseDuration(text);
    if (d == null) {
      throw new IllegalArgumentException(
          "expected a duration such as 30s, 5m, 4h, 2d or PT30S, found '" + text + "'");
    }
    return d;
  }

  /** The variable that names the file when no option does. */
  public static final String PATH_VARIABLE = "EXTSVC_CONFIG";

  public static final ExtsvcConfig DEFAULTS =
      new ExtsvcConfig(
          ServerConfig.DEFAULTS,
          OutboundConfig.DEFAULTS,
          Limits.DEFAULTS,
          null,
          null,
          Map.of(),
          Map.of(),
          HandlersConfig.NONE,
          SafetyConfig.DEFAULTS,
          AlertRules.DEFAULTS,
          ClusterConfig.DEFAULTS,
          null);

  public ExtsvcConfig {
    credentials = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(credentials));
    services = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(services));
    for (ServiceConfig s : services.values()) {
      for (String c : s.settings().credentials()) {
        if (!credentials.containsKey(c)) {
          throw new IllegalArgumentException(
              "service "
                  + s.name()
                  + " uses credential '"
                  + c
                  + "', which is not defined under credentials; defined: "
                  + credentials.keySet());
        }
      }
    }
  }

  /**
   * Reads a file. Values may be written {@code ${env:NAME}} or {@code ${env:NAME:-default}};
   * secrets must be written {@code ${env:NAME}} or {@code ${file:/path}}; any option can also be
   * set by a variable named after its path, such as {@code EXTSVC_SERVER_PORT} or {@code
   * EXTSVC_SERVICES_ACME_MORTGAGES_ENDPOINT}.
   *
   * @throws ConfigException with the line and column of what is wrong
   */
  public static ExtsvcConfig load(Path file, Map<String, String> environment) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ConfigException(
          file.toString(),
          0,
          0,
          "cannot read the file: "
              + e.getClass().getSimpleName()
              + (e.getMessage() == null ? "" : " " + e.getMessage()));
    }
    // A file that was just read is not the root, so its absolute path has a parent.
    Path base = Objects.requireNonNull(file.toAbsolutePath().getParent());
    return new ConfigReader(file.toString(), base, environment).read(text);
  }

  /** The file named by the option, else by {@value #PATH_VARIABLE}, else none (null). */
  public static @Nullable Path locate(@Nullable Path option, Map<String, String> environment) {
    if (option != null) {
      return option;
    }
    String fromEnv = environment.get(PATH_VARIABLE);
    return fromEnv == null || fromEnv.isBlank() ? null : Path.of(fromEnv);
  }

  /**
   * Applies everything but the server section to a runtime builder (the server's node id included).
   */
  public ExternalServices.Builder configure(ExternalServices.Builder b) {
    handlers.configure(b);
    if (server.nodeId() != null) {
      b.nodeId(server.nodeId());
    }
    b.limits(limits)
        .allowPrivateNetworks(outbound.allowPrivateNetworks())
        .allowSpecServers(outbound.allowSpecServers());
    outbound.allowAddresses().forEach(b::allowAddresses);
    if (outbound.totalTimeout() != null) {
      b.syncTimeout(outbound.totalTimeout());
    }
    if (maxCallbackTimeout != null) {
      b.maxCallbackTimeout(maxCallbackTimeout);
    }
    if (defaultCallbackTimeout != null) {
      b.defaultCallbackTimeout(defaultCallbackTimeout);
    }
    if (earlyCallbackHold != null) {
      b.earlyCallbackHold(earlyCallbackHold);
    }
    safety.configure(b);
    b.alerts(alerts);
    cluster.configure(b);
    credentials.values().forEach(b::credential);
    services
        .values()
        .forEach(
            s -> {
              b.service(s.settings()).acknowledgement(s.name(), s.acknowledgement());
              if (s.callbackSignature() != null) {
                b.callbackSignature(s.name(), s.callbackSignature());
              }
              s.correlations()
                  .forEach(
                      r ->
                          b.correlate(
                              r.service(),
                              r.operation(),
                              r.key(),
                              r.correlation().invocation().toString(),
                              r.correlation().callback().toString()));
            });
    return b;
  }
}
