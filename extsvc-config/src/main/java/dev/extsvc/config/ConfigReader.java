package dev.extsvc.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.extsvc.runtime.Acknowledgement;
import dev.extsvc.runtime.AlertRules;
import dev.extsvc.runtime.CallbackSignature;
import dev.extsvc.runtime.ExternalServices;
import dev.extsvc.runtime.Limits;
import dev.extsvc.runtime.ServiceSettings;
import dev.extsvc.runtime.StorageQuotas;
import dev.extsvc.runtime.credentials.Credential;
import dev.extsvc.runtime.credentials.CredentialReader;
import dev.extsvc.runtime.credentials.Secret;
import dev.extsvc.spec.CallbackRole;
import dev.extsvc.spec.Correlation;
import dev.extsvc.spec.CorrelationRule;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Reads {@code extsvc.yaml} into {@link ExtsvcConfig}. The YAML is read token by token so that
 * every value keeps its line; every error, including a record's own validation, is reported at the
 * line of what caused it.
 */
final class ConfigReader {
  private static final Pattern ENV =
      Pattern.compile("\\$\\{env:([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");
  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");
  private static final Pattern SIZE =
      Pattern.compile("(\\d+)\\s*(B|KB|MB|GB)?", Pattern.CASE_INSENSITIVE);

  private final String source;
  private final Path base;
  private final Map<String, String> env;
  private final Map<String, JsonLocation> locations = new HashMap<>();

  ConfigReader(String source, Path base, Map<String, String> env) {
    this.source = source;
    this.base = base;
    this.env = env;
  }

  /**
   * A value in the file: its node, its JSON pointer (for its line) and its path of keys (for
   * variables).
   */
  private record At(JsonNode node, String pointer, List<String> path) {
    At child(String key) {
      return new At(
          node.path(key),
          pointer + "/" + key.replace("~", "~0").replace("/", "~1"),
          plus(path, key));
    }

    String dotted() {
      return String.join(".", path);
    }

    private static List<String> plus(List<String> path, String key) {
      List<String> p = new ArrayList<>(path);
      p.add(key);
      return p;
    }
  }

  ExtsvcConfig read(String text) {
    JsonNode tree = tree(text);
    At root = new At(tree, "", List.of());
    keys(
        root,
        "server",
        "outbound",
        "limits",
        "callbacks",
        "masking",
        "credentials",
        "services",
        "handlers",
        "alerts",
        "cluster");
    ServerConfig server = server(root.child("server"));
    OutboundConfig outbound = outbound(root.child("outbound"));
    At limitsAt = root.child("limits");
    keys(
        limitsAt,
        "maxBodyBytes",
        "maxNestingDepth",
        "maxNumberLength",
        "callbacksPerInvocation",
        "callbacksAfterCompletion",
        "totalCallbackBytes",
        "unknownTokensPerMinute");
    Limits limits =
        build(
            limitsAt,
            () ->
                new Limits(
                    (int)
                        Math.min(
                            Integer.MAX_VALUE,
                            size(limitsAt.child("maxBodyBytes"), Limits.DEFAULTS.maxBodyBytes())),
                    integer(limitsAt.child("maxNestingDepth"), Limits.DEFAULTS.maxNestingDepth()),
                    integer(limitsAt.child("maxNumberLength"), Limits.DEFAULTS.maxNumberLength())));
    At callbacks = root.child("callbacks");
    keys(callbacks, "defaultTimeout", "maxTimeout", "trustedProxies", "earlyCallbackHold");
    Duration defaultTimeout = duration(callbacks.child("defaultTimeout"));
    Duration maxTimeout = duration(callbacks.child("maxTimeout"));
    Duration earlyCallbackHold = positiveDuration(callbacks, "earlyCallbackHold");
    SafetyConfig safety = safety(limitsAt, callbacks, root.child("masking"));
    Map<String, Credential> credentials = new LinkedHashMap<>();
    for (String name : names(root.child("credentials"))) {
      credentials.put(name, credential(name, root.child("credentials").child(name)));
    }
    Map<String, ServiceConfig> services = new LinkedHashMap<>();
    for (String name : names(root.child("services"))) {
      services.put(name, service(name, root.child("services").child(name), credentials.keySet()));
    }
    At handlersAt = root.child("handlers");
    keys(handlersAt, "allowedTypes", "allowedPackages");
    List<String> handlerTypes = strings(handlersAt.child("allowedTypes"));
    List<String> handlerPackages = strings(handlersAt.child("allowedPackages"));
    HandlersConfig handlers =
        build(handlersAt, () -> new HandlersConfig(handlerTypes, handlerPackages));
    AlertRules alerts = alerts(root.child("alerts"));
    ClusterConfig cluster = cluster(root.child("cluster"));
    return build(
        root,
        () ->
            new ExtsvcConfig(
                server,
                outbound,
                limits,
                defaultTimeout,
                maxTimeout,
                credentials,
                services,
                handlers,
                safety,
                alerts,
                cluster,
                earlyCallbackHold));
  }

  /**
   * The alert rules: each absent key keeps its default ({@link AlertRules#DEFAULTS}); a rule
   * written {@code off} is off.
   */
  private AlertRules alerts(At at) {
    keys(
        at,
        "every",
        "webhook",
        "nearDeadline",
        "slowWait",
        "handlerFailureRate",
        "deadCallbacks",
        "storeErrors",
        "nodeGone");
    AlertRules d = AlertRules.DEFAULTS;
    Duration every = duration(at.child("every"));
    At nearAt = at.child("nearDeadline");
    Duration near = off(nearAt) ? null : duration(nearAt);
    At slowAt = at.child("slowWait");
    AlertRules.SlowWait slow = null;
    if (present(slowAt) && !off(slowAt)) {
      keys(slowAt, "multiple", "minSamples", "atLeast");
      double multiple = decimal(slowAt.child("multiple"), 3);
      int samples = integer(slowAt.child("minSamples"), 20);
      Duration atLeast = duration(slowAt.child("atLeast"));
      slow =
          build(
              slowAt,
              () ->
                  new AlertRules.SlowWait(
                      multiple, samples, atLeast == null ? Duration.ofMinutes(1) : atLeast));
    }
    At rateAt = at.child("handlerFailureRate");
    AlertRules.FailureRate rate = d.handlerFailureRate();
    if (off(rateAt)) {
      rate = null;
    } else if (present(rateAt) && rate != null) {
      keys(rateAt, "above", "window", "minCallbacks");
      AlertRules.FailureRate base = rate;
      double above = decimal(rateAt.child("above"), base.above());
      Duration window = duration(rateAt.child("window"));
      int min = integer(rateAt.child("minCallbacks"), base.minCallbacks());
      rate =
          build(
              rateAt,
              () ->
                  new AlertRules.FailureRate(above, window == null ? base.window() : window, min));
    }
    At hookAt = at.child("webhook");
    AlertRules.Webhook webhook = null;
    if (present(hookAt)) {
      keys(hookAt, "url", "secret");
      String url = text(hookAt.child("url"));
      if (url == null) {
        throw error(hookAt.child("url"), "alerts.webhook needs a url");
      }
      Secret secret = optionalSecret(hookAt.child("secret"));
      AlertRules.Webhook built;
      try {
        URI uri = new URI(url.strip());
        built = build(hookAt.child("url"), () -> new AlertRules.Webhook(uri, secret));
      } catch (URISyntaxException e) {
        // The URL of a chat webhook is itself a secret: say what is wrong, not what it was.
        throw error(hookAt.child("url"), "alerts.webhook.url is not a valid URL");
      }
      webhook = built;
    }
    Duration nearDeadline = near;
    AlertRules.SlowWait slowWait = slow;
    AlertRules.FailureRate failureRate = rate;
    AlertRules.Webhook hook = webhook;
    return build(
        at,
        () ->
            new AlertRules(
                nearDeadline,
                slowWait,
                failureRate,
                boolOr(at.child("deadCallbacks"), d.deadCallbacks()),
                boolOr(at.child("storeErrors"), d.storeErrors()),
                boolOr(at.child("nodeGone"), d.nodeGone()),
                every == null ? d.every() : every,
                hook));
  }

  private boolean present(At at) {
    return variableFor(at) != null || !(at.node().isMissingNode() || at.node().isNull());
  }

  /** A rule written "off" (or false). */
  private boolean off(At at) {
    if (!at.node().isValueNode() && variableFor(at) == null) {
      return false;
    }
    String v = text(at);
    return v != null && (v.strip().equalsIgnoreCase("off") || v.strip().equalsIgnoreCase("false"));
  }

  private boolean boolOr(At at, boolean fallback) {
    return present(at) ? bool(at) : fallback;
  }

  private double decimal(At at, double fallback) {
    String v = text(at);
    if (v == null) {
      return fallback;
    }
    try {
      return Double.parseDouble(v.strip());
    } catch (NumberFormatException e) {
      throw error(at, "expected a number such as 0.2 or 3, found '" + v + "'");
    }
  }

  private ClusterConfig cluster(At at) {
    keys(at, "heartbeatInterval", "nodeTimeout", "callbackLease", "recoveryGrace");
    Duration heartbeat = positiveDuration(at, "heartbeatInterval");
    Duration timeout = positiveDuration(at, "nodeTimeout");
    Duration lease = positiveDuration(at, "callbackLease");
    Duration grace = positiveDuration(at, "recoveryGrace");
    // how the values fit together is reported at the section's line
    return build(at, () -> new ClusterConfig(heartbeat, timeout, lease, grace));
  }

  /** A duration that must be positive when set, reported at its own line when it is not. */
  private @Nullable Duration positiveDuration(At section, String name) {
    At field = section.child(name);
    Duration d = duration(field);
    if (d != null && !d.isPositive()) {
      throw error(field, name + " must be positive");
    }
    return d;
  }

  /** Masking, trusted proxies, quotas: each value checked where it is written. */
  private SafetyConfig safety(At limitsAt, At callbacks, At masking) {
    keys(masking, "names");
    At namesAt = masking.child("names");
    List<String> names = strings(namesAt);
    build(namesAt, () -> ExternalServices.builder().maskNames(names.toArray(String[]::new)));
    At proxiesAt = callbacks.child("trustedProxies");
    List<String> proxies = strings(proxiesAt);
    build(
        proxiesAt, () -> ExternalServices.builder().trustedProxies(proxies.toArray(String[]::new)));
    StorageQuotas d = StorageQuotas.DEFAULTS;
    At perInvocation = limitsAt.child("callbacksPerInvocation");
    At afterCompletion = limitsAt.child("callbacksAfterCompletion");
    At total = limitsAt.child("totalCallbackBytes");
    At unknown = limitsAt.child("unknownTokensPerMinute");
    int perInvocationValue = integer(perInvocation, d.callbacksPerInvocation());
    int afterCompletionValue = integer(afterCompletion, d.callbacksAfterFinal());
    long totalValue = size(total, d.totalCallbackBytes());
    int unknownValue = integer(unknown, SafetyConfig.DEFAULT_UNKNOWN_TOKENS_PER_MINUTE);
    build(perInvocation, () -> new StorageQuotas(perInvocationValue, 1, 0));
    build(afterCompletion, () -> new StorageQuotas(1, afterCompletionValue, 0));
    build(total, () -> new StorageQuotas(1, 1, totalValue));
    build(unknown, () -> ExternalServices.builder().unknownTokenLimit(unknownValue));
    return new SafetyConfig(
        names,
        proxies,
        unknownValue,
        new StorageQuotas(perInvocationValue, afterCompletionValue, totalValue));
  }

  private ServerConfig server(At at) {
    keys(
        at,
        "host",
        "port",
        "publicUrl",
        "callbackPath",
        "data",
        "postgres",
        "slowClients",
        "nodeId",
        "adminToken",
        "maxRequestLine",
        "maxHeaderSize");
    At pg = at.child("postgres");
    keys(pg, "url", "user", "password");
    At slow = at.child("slowClients");
    keys(slow, "headerTimeout", "minBodyRate", "bodyGrace", "idleTimeout");
    ServerConfig d = ServerConfig.DEFAULTS;
    String data = text(at.child("data"));
    At pathAt = at.child("callbackPath");
    String callbackPath = orElse(text(pathAt), d.callbackPath());
    At nodeAt = at.child("nodeId");
    String nodeId = text(nodeAt);
    if (nodeId != null) {
      build(nodeAt, () -> ExternalServices.builder().nodeId(nodeId)); // reported at its own line
    }
    build(
        pathAt,
        () -> ExternalServices.builder().callbackPath(callbackPath)); // reported at its own line
    return build(
        at,
        () ->
            new ServerConfig(
                orElse(text(at.child("host")), d.host()),
                integer(at.child("port"), d.port()),
                text(at.child("publicUrl")),
                data == null ? d.data() : base.resolve(data),
                text(pg.child("url")),
                text(pg.child("user")),
                optionalSecret(pg.child("password")),
                new ServerConfig.SlowClients(
                    duration(slow.child("headerTimeout")),
                    text(slow.child("minBodyRate")) == null
                        ? null
                        : integer(slow.child("minBodyRate"), 0),
                    duration(slow.child("bodyGrace")),
                    duration(slow.child("idleTimeout"))),
                callbackPath,
                nodeId,
                optionalSecret(at.child("adminToken")),
                new ServerConfig.HttpLimits(
                    optionalInteger(at.child("maxRequestLine")),
                    optionalInteger(at.child("maxHeaderSize")))));
  }

  private OutboundConfig outbound(At at) {
    keys(at, "allowPrivateNetworks", "allowAddresses", "allowSpecServers", "totalTimeout");
    List<String> blocks = strings(at.child("allowAddresses"));
    return build(
        at,
        () ->
            new OutboundConfig(
                bool(at.child("allowPrivateNetworks")),
                blocks,
                bool(at.child("allowSpecServers")),
                duration(at.child("totalTimeout"))));
  }

  /**
   * A credential, read by the runtime's {@link CredentialReader}; its errors carry the line and
   * column.
   */
  private Credential credential(String name, At at) {
    keys(
        at,
        CredentialReader.FIELDS.toArray(
            String[]::new)); // a misspelt field is named even when the type is wrong
    return CredentialReader.read(name, new YamlFields(at));
  }

  /**
   * The fields of one credential in the file: secrets as references, files relative to the file.
   */
  private final class YamlFields implements CredentialReader.Fields {
    private final At at;

    YamlFields(At at) {
      this.at = at;
    }

    @Override
    public @Nullable String text(String field) {
      return ConfigReader.this.text(at.child(field));
    }

    @Override
    public @Nullable Secret secret(String field) {
      return optionalSecret(at.child(field));
    }

    @Override
    public @Nullable Path path(String field) {
      String p = text(field);
      return p == null ? null : base.resolve(p);
    }

    @Override
    public List<String> list(String field) {
      return strings(at.child(field));
    }

    @Override
    public Map<String, Secret> secrets(String field) {
      Map<String, Secret> out = new LinkedHashMap<>();
      for (String h : names(at.child(field))) { // plain text or a secret reference
        At v = at.child(field).child(h);
        String raw = raw(v);
        out.put(
            h,
            raw != null && raw.strip().startsWith("${")
                ? ConfigReader.this.secret(v)
                : Secret.of(orElse(ConfigReader.this.text(v), "")));
      }
      return out;
    }

    @Override
    public void only(Set<String> known) {
      keys(at, CredentialReader.FIELDS.stream().filter(known::contains).toArray(String[]::new));
    }

    @Override
    public RuntimeException error(@Nullable String field, String problem) {
      return field == null
          ? ConfigReader.this.error(at, problem)
          : ConfigReader.this.error(at.child(field), at.child(field).dotted() + " " + problem);
    }

    @Override
    public RuntimeException missing(String field, boolean secret) {
      return error(field, "is required" + (secret ? ": write ${env:NAME} or ${file:/path}" : ""));
    }
  }

  private ServiceConfig service(String name, At at, Set<String> credentials) {
    keys(
        at,
        "spec",
        "endpoint",
        "credential",
        "credentials",
        "timeouts",
        "callbackTimeout",
        "acknowledgement",
        "maxResponseBytes",
        "allowPrivateNetwork",
        "correlation",
        "callbackSignature",
        "callbackKeys");
    ServiceSettings.Builder b = ServiceSettings.builder(name);
    callbackKeys(at.child("callbackKeys"), b);
    String endpoint = text(at.child("endpoint"));
    if (endpoint != null) {
      b.endpoint(endpoint);
    }
    List<String> used = new ArrayList<>(strings(at.child("credentials")));
    String single = text(at.child("credential"));
    if (single != null) {
      used.add(0, single);
    }
    for (String c : used) {
      if (!credentials.contains(c)) {
        At where = at.child(single != null && single.equals(c) ? "credential" : "credentials");
        throw error(
            where,
            "credential '" + c + "' is not defined under credentials; defined: " + credentials);
      }
      b.credential(c);
    }
    At timeouts = at.child("timeouts");
    keys(timeouts, "connect", "read", "total");
    set(duration(timeouts.child("connect")), b::connectTimeout);
    set(duration(timeouts.child("read")), b::readTimeout);
    set(duration(timeouts.child("total")), b::totalTimeout);
    At callback = at.child("callbackTimeout");
    keys(callback, "default", "max");
    set(duration(callback.child("default")), b::defaultCallbackTimeout);
    set(duration(callback.child("max")), b::maxCallbackTimeout);
    b.maxResponseBytes(
        size(at.child("maxResponseBytes"), ServiceSettings.DEFAULT_MAX_RESPONSE_BYTES));
    b.allowPrivateNetwork(bool(at.child("allowPrivateNetwork")));
    String spec = text(at.child("spec"));
    At ackAt = at.child("acknowledgement");
    String ack = orElse(text(ackAt), "SYNC").toUpperCase(Locale.ROOT);
    Acknowledgement acknowledgement =
        switch (ack) {
          case "SYNC" -> Acknowledgement.SYNC;
          case "DURABLE" -> Acknowledgement.DURABLE;
          default ->
              throw error(ackAt, "acknowledgement must be SYNC or DURABLE, not '" + ack + "'");
        };
    List<CorrelationRule> correlations = correlations(name, at.child("correlation"));
    CallbackSignature signature = callbackSignature(at.child("callbackSignature"));
    return build(
        at,
        () ->
            new ServiceConfig(
                b.build(),
                spec == null ? null : base.resolve(spec),
                acknowledgement,
                correlations,
                signature));
  }

  /**
   * {@code correlation: {OPERATION: {KEY: {invocation: EXPR, callback: EXPR}}}}: the rules of the
   * keys the service awaits by correlation.
   */
  private List<CorrelationRule> correlations(String service, At at) {
    List<CorrelationRule> out = new ArrayList<>();
    for (String operation : names(at)) {
      At op = at.child(operation);
      for (String key : names(op)) {
        At rule = op.child(key);
        keys(rule, "invocation", "callback");
        String invocation = text(rule.child("invocation"));
        String callback = text(rule.child("callback"));
        if (invocation == null || callback == null) {
          throw error(
              rule,
              rule.dotted()
                  + " needs 'invocation' (e.g. $response.body#/id) and 'callback' (e.g."
                  + " $request.body#/data/id)");
        }
        Correlation correlation;
        try {
          correlation = Correlation.parse(invocation, callback);
        } catch (IllegalArgumentException e) {
          String problem = Objects.toString(e.getMessage(), "invalid rule");
          At side =
              problem.startsWith("callback") || problem.contains("callback's value")
                  ? rule.child("callback")
                  : rule.child("invocation");
          throw error(side, side.dotted() + ": " + problem);
        }
        out.add(new CorrelationRule(service, operation, key, correlation));
      }
    }
    return out;
  }

  /**
   * {@code callbackSignature: {scheme, secret | secrets, tolerance, hmac: {header, prefix,
   * encoding, algorithm, signed, timestampHeader}}}; null when absent.
   */
  private @Nullable CallbackSignature callbackSignature(At at) {
    if (at.node().isMissingNode() || at.node().isNull()) {
      return null;
    }
    keys(at, "scheme", "secret", "secrets", "tolerance", "hmac");
    At schemeAt = at.child("scheme");
    String schemeName = text(schemeAt);
    if (schemeName == null) {
      throw error(
          schemeAt,
          schemeAt.dotted()
              + " is required: standard-webhooks, github, stripe, slack, shopify, twilio or hmac");
    }
    CallbackSignature.Scheme scheme;
    try {
      scheme = CallbackSignature.Scheme.of(schemeName);
    } catch (IllegalArgumentException e) {
      throw error(schemeAt, Objects.toString(e.getMessage(), "unknown scheme"));
    }
    List<Secret> secrets = new ArrayList<>();
    if (raw(at.child("secret")) != null) {
      secrets.add(secret(at.child("secret")));
    }
    At many = at.child("secrets");
    for (int i = 0; many.node().isArray() && i < many.node().size(); i++) {
      secrets.add(
          secret(
              new At(many.node().get(i), many.pointer() + "/" + i, At.plus(many.path(), "" + i))));
    }
    if (secrets.isEmpty()) {
      throw error(at, at.dotted() + " needs a secret: write secret: ${env:NAME} or ${file:/path}");
    }
    Duration tolerance = duration(at.child("tolerance"));
    At h = at.child("hmac");
    CallbackSignature.Hmac hmac = null;
    if (!h.node().isMissingNode()) {
      keys(h, "header", "prefix", "encoding", "algorithm", "signed", "timestampHeader");
      String encoding = orElse(text(h.child("encoding")), "hex").strip().toUpperCase(Locale.ROOT);
      String signed = orElse(text(h.child("signed")), "body").strip().toLowerCase(Locale.ROOT);
      if (!encoding.equals("HEX") && !encoding.equals("BASE64")) {
        throw error(
            h.child("encoding"), "hmac.encoding must be hex or base64, not '" + encoding + "'");
      }
      if (!signed.equals("body") && !signed.equals("timestamp.body")) {
        throw error(
            h.child("signed"), "hmac.signed must be body or timestamp.body, not '" + signed + "'");
      }
      String header = orElse(text(h.child("header")), "");
      String prefix = orElse(text(h.child("prefix")), "");
      String algorithm = orElse(text(h.child("algorithm")), "SHA256");
      String timestampHeader = text(h.child("timestampHeader"));
      hmac =
          build(
              h,
              () ->
                  new CallbackSignature.Hmac(
                      header,
                      prefix,
                      CallbackSignature.Encoding.valueOf(encoding),
                      algorithm,
                      signed.equals("body")
                          ? CallbackSignature.Signed.BODY
                          : CallbackSignature.Signed.TIMESTAMP_DOT_BODY,
                      timestampHeader));
    }
    CallbackSignature.Hmac definition = hmac;
    return build(
        at,
        () ->
            new CallbackSignature(
                scheme,
                secrets,
                definition,
                tolerance == null ? CallbackSignature.DEFAULT_TOLERANCE : tolerance));
  }

  /**
   * {@code callbackKeys: {OPERATION: {KEY: {final: false}}}} or {@code {KEY: {heartbeat: 1h}}}: the
   * roles of keys whose document says nothing (or otherwise), for specs the user cannot edit.
   */
  private void callbackKeys(At at, ServiceSettings.Builder b) {
    if (at.node().isMissingNode() || at.node().isNull()) {
      return;
    }
    mapping(at);
    for (String operation : List.copyOf(fieldNames(at))) {
      At opAt = at.child(operation);
      mapping(opAt);
      for (String key : List.copyOf(fieldNames(opAt))) {
        At keyAt = opAt.child(key);
        mapping(keyAt);
        keys(keyAt, "final", "heartbeat");
        At finalAt = keyAt.child("final");
        @Nullable Boolean finalKey = text(finalAt) == null ? null : bool(finalAt);
        @Nullable Duration heartbeat = duration(keyAt.child("heartbeat"));
        CallbackRole role;
        if (heartbeat != null) {
          if (Boolean.TRUE.equals(finalKey)) {
            throw error(
                finalAt,
                finalAt.dotted()
                    + ": a heartbeat key is a progress key, so it cannot also be final: true");
          }
          if (heartbeat.isZero() || heartbeat.isNegative()) {
            throw error(keyAt.child("heartbeat"), "a heartbeat must be positive");
          }
          role = CallbackRole.heartbeat(heartbeat);
        } else if (finalKey != null) {
          role = finalKey ? CallbackRole.FINAL : CallbackRole.PROGRESS;
        } else {
          throw error(keyAt, keyAt.dotted() + " needs final: false (progress) or heartbeat: 1h");
        }
        b.callbackRole(operation, key, role);
      }
    }
  }

  private void mapping(At at) {
    if (!at.node().isObject()) {
      throw error(at, at.dotted() + " must be a mapping");
    }
  }

  private static List<String> fieldNames(At at) {
    List<String> names = new ArrayList<>();
    at.node().fieldNames().forEachRemaining(names::add);
    return names;
  }

  // --- values: the variable named after the path wins over the file; ${env:...} is replaced in
  // plain values ---

  private @Nullable String variableFor(At at) {
    return env.get(variableName(at));
  }

  static String variableName(List<String> path) {
    return "EXTSVC_"
        + String.join("_", path).toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]+", "_");
  }

  private String variableName(At at) {
    return variableName(at.path());
  }

  /** The text as written (no substitution), or from the variable named after the path. */
  private @Nullable String raw(At at) {
    String v = variableFor(at);
    if (v != null) {
      return v;
    }
    JsonNode n = at.node();
    if (n.isMissingNode() || n.isNull()) {
      return null;
    }
    if (!n.isValueNode()) {
      throw error(at, "expected a single value, found " + (n.isObject() ? "a mapping" : "a list"));
    }
    return n.asText();
  }

  private @Nullable String text(At at) {
    String raw = raw(at);
    if (raw == null) {
      return null;
    }
    Matcher m = ENV.matcher(raw);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = env.get(m.group(1));
      if (value == null) {
        value = m.group(2);
      }
      if (value == null) {
        throw error(
            at,
            "environment variable "
                + m.group(1)
                + " is not set (write ${env:"
                + m.group(1)
                + ":-default} for a default)");
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }

  private @Nullable Secret optionalSecret(At at) {
    if (variableFor(at) != null) {
      return Secret.env(
          variableName(at),
          env::get); // set by its own variable: the value stays in the environment
    }
    String raw = raw(at);
    if (raw == null) {
      return null;
    }
    return secret(at);
  }

  /** A secret reference; a relative {@code ${file:...}} is relative to the configuration file. */
  private Secret secret(At at) {
    String raw = java.util.Objects.requireNonNull(raw(at)).strip();
    try {
      if (raw.startsWith("${file:")
          && raw.endsWith("}")
          && !Path.of(raw.substring(7, raw.length() - 1)).isAbsolute()) {
        return Secret.file(base.resolve(raw.substring(7, raw.length() - 1)));
      }
      return Secret.parse(raw, env::get);
    } catch (
        IllegalArgumentException e) { // the message never repeats the text, which may be a secret
      throw error(at, Objects.toString(e.getMessage(), "invalid value"));
    }
  }

  private @Nullable Integer optionalInteger(At at) {
    return text(at) == null ? null : integer(at, 0);
  }

  private int integer(At at, int fallback) {
    String v = text(at);
    if (v == null) {
      return fallback;
    }
    try {
      return Integer.parseInt(v.strip());
    } catch (NumberFormatException e) {
      throw error(at, "expected a whole number, found '" + v + "'");
    }
  }

  private boolean bool(At at) {
    String v = text(at);
    if (v == null) {
      return false;
    }
    return switch (v.strip().toLowerCase(Locale.ROOT)) {
      case "true", "yes", "on" -> true;
      case "false", "no", "off" -> false;
      default -> throw error(at, "expected true or false, found '" + v + "'");
    };
  }

  /** "30s", "5m", "4h", "2d", "500ms", or ISO-8601 such as "PT30S". */
  private @Nullable Duration duration(At at) {
    String v = text(at);
    if (v == null) {
      return null;
    }
    Duration d = parseDuration(v);
    if (d == null) {
      throw error(at, "expected a duration such as 30s, 5m, 4h, 2d or PT30S, found '" + v + "'");
    }
    return d;
  }

  /** "30s", "5m", "4h", "2d", "500ms", or ISO-8601 such as "PT30S"; null for anything else. */
  static @Nullable Duration parseDuration(String v) {
    String s = v.strip();
    Matcher m = DURATION.matcher(s);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofDays(n);
      };
    }
    try {
      return Duration.parse(s);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /** Bytes: "1048576", "512KB", "4MB". */
  private long size(At at, long fallback) {
    String v = text(at);
    if (v == null) {
      return fallback;
    }
    Matcher m = SIZE.matcher(v.strip());
    if (!m.matches()) {
      throw error(at, "expected a size such as 1048576, 512KB or 4MB, found '" + v + "'");
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "B" : m.group(2).toUpperCase(Locale.ROOT);
    return switch (unit) {
      case "KB" -> n * 1024;
      case "MB" -> n * 1024 * 1024;
      case "GB" -> n * 1024 * 1024 * 1024;
      default -> n;
    };
  }

  /** A list, or one value, or a comma-separated variable. */
  private List<String> strings(At at) {
    String fromEnv = variableFor(at);
    if (fromEnv != null) {
      return List.of(fromEnv.split("\\s*,\\s*"));
    }
    if (at.node().isMissingNode() || at.node().isNull()) {
      return List.of();
    }
    if (!at.node().isArray()) {
      return List.of(java.util.Objects.requireNonNull(text(at)));
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < at.node().size(); i++) {
      out.add(
          java.util.Objects.requireNonNull(
              text(
                  new At(
                      at.node().get(i),
                      at.pointer() + "/" + i,
                      At.plus(at.path(), String.valueOf(i))))));
    }
    return out;
  }

  /** The keys of a mapping in file order; none when it is absent. */
  private List<String> names(At at) {
    if (at.node().isMissingNode() || at.node().isNull()) {
      return List.of();
    }
    if (!at.node().isObject()) {
      throw error(at, at.dotted() + " must be a mapping of names");
    }
    List<String> out = new ArrayList<>();
    at.node().fieldNames().forEachRemaining(out::add);
    return out;
  }

  private void keys(At at, String... known) {
    if (at.node().isMissingNode() || at.node().isNull()) {
      return;
    }
    if (!at.node().isObject()) {
      throw error(at, (at.path().isEmpty() ? "the file" : at.dotted()) + " must be a mapping");
    }
    List<String> allowed = List.of(known);
    at.node()
        .fieldNames()
        .forEachRemaining(
            k -> {
              if (!allowed.contains(k)) {
                throw error(
                    at.child(k),
                    "unknown key '"
                        + k
                        + "'"
                        + (at.path().isEmpty() ? "" : " in " + at.dotted())
                        + "; known: "
                        + String.join(", ", allowed));
              }
            });
  }

  private static <T> void set(@Nullable T value, java.util.function.Consumer<T> setter) {
    if (value != null) {
      setter.accept(value);
    }
  }

  private static String orElse(@Nullable String v, String fallback) {
    return v == null ? fallback : v;
  }

  /**
   * Runs a record's constructor; its validation message is reported at the line of the object it
   * builds.
   */
  private <T> T build(At at, java.util.function.Supplier<T> constructor) {
    try {
      return constructor.get();
    } catch (IllegalArgumentException e) {
      throw error(at, Objects.toString(e.getMessage(), "invalid value"));
    }
  }

  private ConfigException error(At at, String message) {
    String variable = variableName(at);
    if (env.containsKey(variable)) {
      return new ConfigException("environment variable " + variable, 0, 0, message);
    }
    String pointer = at.pointer();
    JsonLocation loc = locations.get(pointer);
    while (loc == null && !pointer.isEmpty()) {
      pointer =
          pointer.substring(0, pointer.lastIndexOf('/')); // absent key: the line of its parent
      loc = locations.get(pointer);
    }
    return new ConfigException(
        source,
        loc == null ? 0 : loc.getLineNr(),
        loc == null ? 0 : loc.getColumnNr(),
        (at.path().isEmpty() || message.contains(at.dotted()) ? "" : at.dotted() + ": ") + message);
  }

  // --- the tree, with the location of every key and value ---

  private JsonNode tree(String text) {
    YAMLFactory factory = YAMLFactory.builder().build();
    try (JsonParser p = factory.createParser(text)) {
      JsonToken first = p.nextToken();
      if (first == null) {
        return JsonNodeFactory.instance.objectNode();
      }
      return node(p, "");
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      String reason =
          String.valueOf(e.getOriginalMessage())
              .lines()
              .map(String::strip)
              .filter(s -> !s.isEmpty())
              .findFirst()
              .orElse("malformed");
      throw new ConfigException(
          source,
          at == null ? 0 : at.getLineNr(),
          at == null ? 0 : at.getColumnNr(),
          "malformed YAML: " + reason);
    } catch (IOException e) {
      throw new ConfigException(source, 0, 0, "cannot read: " + e.getMessage());
    }
  }

  private JsonNode node(JsonParser p, String pointer) throws IOException {
    locations.putIfAbsent(pointer, p.currentTokenLocation());
    JsonToken t = p.currentToken();
    JsonNodeFactory f = JsonNodeFactory.instance;
    switch (t) {
      case START_OBJECT -> {
        ObjectNode o = f.objectNode();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String key = p.currentName();
          String child = pointer + "/" + key.replace("~", "~0").replace("/", "~1");
          if (o.has(key)) {
            JsonLocation at = p.currentTokenLocation();
            throw new ConfigException(
                source, at.getLineNr(), at.getColumnNr(), "key '" + key + "' appears twice");
          }
          locations.put(child, p.currentTokenLocation());
          p.nextToken();
          o.set(key, node(p, child));
        }
        return o;
      }
      case START_ARRAY -> {
        var a = f.arrayNode();
        int i = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
          a.add(node(p, pointer + "/" + i++));
        }
        return a;
      }
      case VALUE_NULL -> {
        return f.nullNode();
      }
      default -> {
        return f.textNode(p.getText()); // scalars stay text; each option reads them as its type
      }
    }
  }
}
