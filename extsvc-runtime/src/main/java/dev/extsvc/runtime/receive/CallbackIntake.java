package dev.extsvc.runtime.receive;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.extsvc.runtime.CallbackRequest;
import dev.extsvc.runtime.CallbackResponse;
import dev.extsvc.runtime.CallbackSignature;
import dev.extsvc.runtime.Limits;
import dev.extsvc.runtime.StorageQuotas;
import dev.extsvc.runtime.observe.Meters;
import dev.extsvc.runtime.observe.Telemetry;
import dev.extsvc.runtime.observe.Tracing;
import dev.extsvc.runtime.process.Acknowledgements;
import dev.extsvc.runtime.process.CallbackWorker;
import dev.extsvc.runtime.registry.OperationPlan;
import dev.extsvc.runtime.registry.ServicePlan;
import dev.extsvc.runtime.store.CallbackInsert;
import dev.extsvc.runtime.store.CallbackOutcome;
import dev.extsvc.runtime.store.CallbackRow;
import dev.extsvc.runtime.store.EventKind;
import dev.extsvc.runtime.store.InvocationRow;
import dev.extsvc.runtime.store.InvocationStatus;
import dev.extsvc.runtime.store.NewEvent;
import dev.extsvc.runtime.store.Store;
import dev.extsvc.runtime.store.StoreUnavailableException;
import dev.extsvc.runtime.store.TokenLookup;
import dev.extsvc.runtime.store.TokenRow;
import dev.extsvc.runtime.support.Json;
import dev.extsvc.runtime.support.PayloadValidator;
import dev.extsvc.runtime.support.SecretNames;
import dev.extsvc.runtime.support.Tokens;
import dev.extsvc.runtime.support.UuidV7;
import dev.extsvc.spec.CallbackDefinition;
import dev.extsvc.spec.CallbackRole;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import java.net.URLDecoder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The callback endpoint's core, behind the public {@link dev.extsvc.runtime.CallbackReceiver}:
 * token → invocation and key, checks, store, handler, answer. Answers the callback operation's
 * lowest declared 2xx (200 when it declares none: handled), 400 (bad body), 404 (unknown, or not
 * handled), 405, 408 (timed out), 413, 415, 500 (handler failed, or extsvc failed: the debug log
 * says which) and 503 (store unavailable). Nothing is answered 2xx before the callback is
 * committed.
 */
public final class CallbackIntake {
  private static final Logger log = LoggerFactory.getLogger(CallbackIntake.class);
  private static final String UNKNOWN = CallbackWorker.UNKNOWN;

  /** Refusals and repeats per invocation written into its log by one node (see EventBudget). */
  static final int EVENTS_PER_INVOCATION = 50;

  private static final String COMPLETED = "Invocation already completed";

  /**
   * Under the callback path, the shared address of a service: {@code services/{service}}, where a
   * provider posts callbacks tied to their invocation by a correlation rule.
   */
  public static final String SHARED_PREFIX = "services/";

  /**
   * What the receive stage needs, fixed by the builder.
   *
   * @param plans the plan of a registered service having the operation (service, operation), or
   *     null when it is no longer registered
   * @param webhookSecrets per service, the Standard Webhooks secrets its callbacks must be signed
   *     with
   * @param unknownTokenLimit unknown-token answers per client and minute before it is answered 429
   * @param worker runs the handlers of the callbacks stored here
   * @param trustedProxies address blocks of the proxies whose Forwarded / X-Forwarded-For headers
   *     name the client (checked by {@link #checkTrustedProxy})
   * @param secretNames the header names whose values stored callbacks mask
   * @param quotas how many callbacks and bytes may be stored
   * @param signatures per service, how its callbacks are signed (besides {@code webhookSecrets}); a
   *     service's shared address needs one of the two
   * @param callbackUrl the public URL of the callback path, e.g. "https://x.example/callbacks"
   *     (Twilio signs the URL it called)
   * @param correlator records, holds and delivers callbacks correlated by business key
   * @param telemetry each callback's span (in its invocation's trace) and its answer counted
   */
  public record Context(
      Store store,
      InstantSource clock,
      Limits limits,
      int unknownTokenLimit,
      BiFunction<String, @Nullable String, @Nullable ServicePlan> plans,
      Acknowledgements acknowledgements,
      Map<String, List<String>> webhookSecrets,
      CallbackWorker worker,
      List<String> trustedProxies,
      SecretNames secretNames,
      StorageQuotas quotas,
      Map<String, CallbackSignature> signatures,
      Supplier<String> callbackUrl,
      Correlator correlator,
      Telemetry telemetry,
      Heartbeats heartbeats) {}

  /** What a heartbeat callback asks of the deadlines: move it to its arrival plus the interval. */
  @FunctionalInterface
  public interface Heartbeats {
    @Nullable Instant beat(UUID invocationId, String key, Duration every, Instant at);
  }

  private final Store store;
  private final InstantSource clock;
  private final Limits limits;
  private final BiFunction<String, @Nullable String, @Nullable ServicePlan> plans;
  private final Map<String, SignatureCheck> signed;
  private final Supplier<String> callbackUrl;
  private final Correlator correlator;
  private final Acknowledgements acknowledgements;
  private final Map<String, WebhookSignatures> signatures;
  private final CallbackWorker worker;
  private final Heartbeats heartbeats;
  private final ObjectMapper untrusted;
  private final UnknownTokenLimiter unknownTokens;
  private final ClientAddresses clients;
  private final SecretNames secretNames;
  private final StorageQuotas quotas;
  private final StoredBytes storedBytes;
  private final Tracing tracing;
  private final Meters meters;
  private final EventBudget eventBudget = new EventBudget(EVENTS_PER_INVOCATION);
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile boolean accepting = true;

  public CallbackIntake(Context context) {
    this.store = context.store();
    this.clock = context.clock();
    this.limits = context.limits();
    this.plans = context.plans();
    this.acknowledgements = context.acknowledgements();
    this.worker = context.worker();
    this.heartbeats = context.heartbeats();
    Map<String, WebhookSignatures> sigs = new HashMap<>();
    context
        .webhookSecrets()
        .forEach((service, secrets) -> sigs.put(service, new WebhookSignatures(secrets)));
    this.signatures = Map.copyOf(sigs);
    Map<String, SignatureCheck> checks = new HashMap<>();
    context.signatures().forEach((service, sig) -> checks.put(service, new SignatureCheck(sig)));
    this.signed = Map.copyOf(checks);
    this.callbackUrl = context.callbackUrl();
    this.correlator = context.correlator();
    this.unknownTokens =
        new UnknownTokenLimiter(context.unknownTokenLimit(), Duration.ofMinutes(1));
    this.clients = new ClientAddresses(context.trustedProxies());
    this.secretNames = context.secretNames();
    this.quotas = context.quotas();
    this.storedBytes = new StoredBytes(store, quotas.totalCallbackBytes());
    this.tracing = context.telemetry().tracing();
    this.meters = context.telemetry().meters();
    this.untrusted =
        Json.untrusted(limits.maxNestingDepth(), limits.maxNumberLength(), limits.maxBodyBytes());
  }

  /**
   * Fails with a clear message unless the secrets can sign webhooks (at least one, each base64).
   */
  public static void checkWebhookSecrets(List<String> secrets) {
    new WebhookSignatures(secrets);
  }

  /**
   * Fails with a clear message unless the text is an address or block such as "10.0.0.0/8" or
   * "fd00::/8".
   */
  public static void checkTrustedProxy(String block) {
    ClientAddresses.Block.parse(block);
  }

  public Limits limits() {
    return limits;
  }

  /** Answers one callback; see the class comment for the answers. */
  public CallbackResponse handle(CallbackRequest request) {
    if (!accepting) {
      return CallbackResponse.of(503, "Shutting down, retry later", Map.of("Retry-After", "5"));
    }
    inFlight.incrementAndGet();
    try {
      return receive(request, clients.of(request));
    } catch (StoreUnavailableException e) {
      log.warn("Callback refused with 503: store unavailable ({})", e.getMessage());
      return CallbackResponse.of(
          503, "Service unavailable, retry later", Map.of("Retry-After", "5"));
    } finally {
      inFlight.decrementAndGet();
    }
  }

  /** Stops taking callbacks (503) and waits up to {@code patience} for those being answered. */
  public void drain(Duration patience) {
    accepting = false;
    long until = System.nanoTime() + patience.toNanos();
    while (inFlight.get() > 0 && System.nanoTime() < until) {
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /**
   * The answer for a token that is ill-formed or unknown: 404, or 429 once the client has had its
   * limit of them this minute. Only misses count, and a known token never comes here, so a valid
   * callback from a noisy address (a proxy, a shared NAT) still goes through.
   */
  private CallbackResponse miss(String client) {
    CallbackResponse answer;
    if (unknownTokens.overLimit(client)) {
      answer = CallbackResponse.of(429, "Too many requests", Map.of("Retry-After", "60"));
    } else {
      unknownTokens.record(client);
      answer = CallbackResponse.of(404, UNKNOWN);
    }
    meters.unknownToken(answer.status());
    meters.answered(Meters.NONE_TAG, Meters.NONE_TAG, Meters.NONE_TAG, answer.status());
    return answer;
  }

  private CallbackResponse receive(CallbackRequest request, String client) {
    String path = request.path().startsWith("/") ? request.path().substring(1) : request.path();
    if (path.startsWith(SHARED_PREFIX)) {
      return receiveShared(request, client, path.substring(SHARED_PREFIX.length()));
    }
    int slash = path.indexOf('/');
    String token = slash < 0 ? path : path.substring(0, slash);
    String suffix = slash < 0 ? "" : path.substring(slash);
    if (!Tokens.wellFormed(token)) {
      return miss(client);
    }
    byte[] hash = Tokens.hash(token);
    Optional<TokenLookup> found = store.tokenWithInvocation(hash);
    if (found.isEmpty()) {
      log.debug("Callback for unknown token sha256:{}", Tokens.hashPrefix(hash));
      return miss(client);
    }
    TokenLookup lookup = found.get();
    InvocationRow inv = lookup.invocation();
    // In the invocation's trace: a child of its stored callout span, whichever node stored it.
    Span span =
        tracing.startCallback(inv, request.method().toUpperCase(Locale.ROOT), request::header);
    List<String> keys = lookup.token().keys();
    String[] key = {keys.size() == 1 ? keys.get(0) : Meters.NONE_TAG};
    CallbackResponse answer;
    try (Scope ignored = span.makeCurrent()) {
      answer = receive(request, lookup, suffix, key);
    } catch (StoreUnavailableException e) {
      answered(span, inv, key[0], 503);
      span.recordException(e);
      span.end();
      throw e;
    } catch (RuntimeException | StackOverflowError e) {
      span.recordException(e);
      answer = internalError(lookup, request, e);
    }
    answered(span, inv, key[0], answer.status());
    span.end();
    return answer;
  }

  private void answered(Span span, InvocationRow inv, String key, int status) {
    span.setAttribute(Tracing.KEY, key);
    span.setAttribute(Tracing.STATUS, (long) status);
    if (status >= 500 || status == 408) {
      span.setStatus(StatusCode.ERROR, "answered " + status);
    }
    meters.answered(inv.service(), inv.operation(), key, status);
  }

  /**
   * Something in extsvc failed on a callback of a known invocation: the sender gets 500 (and may
   * retry), the debug log says what failed, the log one line without the token or a stack trace.
   */
  private CallbackResponse internalError(TokenLookup lookup, CallbackRequest request, Throwable e) {
    UUID id = lookup.invocation().id();
    String what =
        request.method().toUpperCase(Locale.ROOT)
            + " callback for "
            + String.join("/", lookup.token().keys())
            + " failed inside extsvc: "
            + e.getClass().getName()
            + (e.getMessage() == null ? "" : ": " + e.getMessage());
    log.warn("Invocation {}: {} (answered 500)", id, what);
    try {
      event(id, clock.instant(), EventKind.CALLBACK_REJECTED, what + " → 500");
    } catch (RuntimeException again) {
      log.warn("Invocation {}: the failure could not be logged: {}", id, again.getMessage());
    }
    return CallbackResponse.of(500, "Callback could not be processed");
  }

  /**
   * @param key set to the key chosen for the callback, once chosen (for its span and meter)
   */
  private CallbackResponse receive(
      CallbackRequest request, TokenLookup found, String suffix, String[] key) {
    TokenRow t = found.token();
    InvocationRow inv = found.invocation();
    UUID id = inv.id();
    Instant now = clock.instant();
    String method = request.method().toUpperCase(Locale.ROOT);
    String where = method + " callback for " + String.join("/", t.keys());
    if (!method.equals("POST") && !method.equals("PUT")) {
      return reject(
          id,
          now,
          405,
          where + " refused: only PUT and POST callbacks are accepted",
          "Method not allowed",
          Map.of("Allow", "POST, PUT"));
    }
    CallbackResponse refused = refusedByStatus(inv, where, now);
    if (refused != null) {
      return refused;
    }
    ServicePlan service = plans.apply(inv.service(), inv.operation());
    OperationPlan plan = service == null ? null : service.operation(inv.operation()).orElse(null);
    if (plan == null) {
      return reject(
          id,
          now,
          404,
          where
              + " refused: operation "
              + inv.service()
              + "."
              + inv.operation()
              + " is no longer registered",
          UNKNOWN,
          Map.of());
    }
    byte[] bytes = request.body();
    if (bytes == null || bytes.length > limits.maxBodyBytes()) {
      return reject(
          id,
          now,
          413,
          where + " refused: body larger than " + limits.maxBodyBytes() + " bytes",
          "Body larger than " + limits.maxBodyBytes() + " bytes",
          Map.of());
    }
    WebhookSignatures signature = signatures.get(inv.service());
    SignatureCheck preset = signed.get(inv.service());
    if (signature != null
            && !signature.verify(
                request.header("webhook-id"),
                request.header("webhook-timestamp"),
                request.header("webhook-signature"),
                bytes,
                now)
        || preset != null && !preset.verify(request, bytes, publicUrl(request), now)) {
      return reject(
          id,
          now,
          401,
          where + " refused: webhook signature missing, invalid or outside its time window",
          "Invalid signature",
          Map.of());
    }
    String contentType = request.header("Content-Type");
    if (bytes.length > 0 && !isJson(contentType)) {
      return reject(
          id,
          now,
          415,
          where + " refused: content type " + contentType + " is not JSON",
          "Content type must be application/json",
          Map.of());
    }
    String bodyText;
    JsonNode body = null;
    try {
      bodyText =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(java.nio.ByteBuffer.wrap(bytes))
              .toString();
    } catch (CharacterCodingException e) {
      return reject(
          id,
          now,
          400,
          where + " refused: body is not valid UTF-8",
          "Body is not valid UTF-8",
          Map.of());
    }
    if (!bodyText.isBlank()) {
      try {
        body = untrusted.readTree(bodyText);
      } catch (JsonProcessingException e) {
        String problem = describe(e);
        return reject(id, now, 400, where + " refused: " + problem, problem, Map.of());
      }
    }

    List<CallbackDefinition> defs = plan.definitions(t.target(), t.keys());
    List<CallbackDefinition> byMethod =
        defs.stream().filter(d -> d.method().equals(method)).toList();
    if (byMethod.isEmpty()) {
      String allowed =
          String.join(", ", defs.stream().map(CallbackDefinition::method).distinct().toList());
      return reject(
          id,
          now,
          405,
          where + " refused: this callback accepts " + allowed,
          "Method not allowed",
          Map.of("Allow", allowed));
    }
    List<CallbackDefinition> bySuffix =
        byMethod.stream().filter(d -> sameSuffix(expectedSuffix(t, d), suffix)).toList();
    if (bySuffix.isEmpty()) {
      return reject(
          id,
          now,
          404,
          where + " refused: no callback at suffix '" + suffix + "'",
          UNKNOWN,
          Map.of());
    }
    CallbackDefinition chosen = null;
    int bestConstants = -1;
    List<String> problems = new ArrayList<>();
    for (CallbackDefinition def : bySuffix) {
      List<String> errors = validate(plan, def, body, bodyText);
      if (errors.isEmpty()) {
        // A loose schema (no required members) accepts other events' payloads too: among the keys
        // that accept the body, the one whose schema names more of its constants (an event type's
        // const or one-value enum) is the body's own; on a tie, the first declared.
        if (bySuffix.size() == 1) {
          chosen = def;
          break;
        }
        var declared = def.requestBody();
        int constants =
            declared == null || body == null ? 0 : constantsMatched(declared.schema(), body, 0);
        if (constants > bestConstants) {
          bestConstants = constants;
          chosen = def;
        }
        continue;
      }
      errors.forEach(e -> problems.add(bySuffix.size() > 1 ? def.key() + ": " + e : e));
    }
    if (chosen == null) {
      String message = "Body does not match the callback's schema: " + String.join("; ", problems);
      return reject(id, now, 400, where + " refused: " + message, message, Map.of());
    }
    key[0] = chosen.key();
    return asDeclared(
        chosen, store(inv, found.storedCallbacks(), chosen, request, method, bodyText, now));
  }

  /**
   * A callback at a service's shared address: signature (required: no secret is in the URL), then
   * the body, then the correlated key and the invocation holding its value; a callback whose value
   * no invocation holds yet is held (202) for the invocation that records it.
   */
  private CallbackResponse receiveShared(CallbackRequest request, String client, String rest) {
    String name;
    try {
      name =
          URLDecoder.decode(
              rest.endsWith("/") ? rest.substring(0, rest.length() - 1) : rest,
              StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return miss(client);
    }
    ServicePlan service = name.isEmpty() || name.contains("/") ? null : plans.apply(name, null);
    SignatureCheck check = signed.get(name);
    WebhookSignatures standard = signatures.get(name);
    if (service == null || (check == null && standard == null)) {
      return miss(client); // no shared address: unknown service, or none that may be unsigned
    }
    List<Candidate> correlated = correlated(service);
    if (correlated.isEmpty()) {
      return miss(client);
    }
    Instant now = clock.instant();
    String method = request.method().toUpperCase(Locale.ROOT);
    if (!method.equals("POST") && !method.equals("PUT")) {
      return CallbackResponse.of(405, "Method not allowed", Map.of("Allow", "POST, PUT"));
    }
    byte[] bytes = request.body();
    if (bytes == null || bytes.length > limits.maxBodyBytes()) {
      return CallbackResponse.of(413, "Body larger than " + limits.maxBodyBytes() + " bytes");
    }
    boolean valid =
        check != null
            ? check.verify(request, bytes, publicUrl(request), now)
            : standard != null
                && standard.verify(
                    request.header("webhook-id"),
                    request.header("webhook-timestamp"),
                    request.header("webhook-signature"),
                    bytes,
                    now);
    if (!valid) {
      log.debug("Callback at the shared address of {} refused: invalid signature", name);
      return CallbackResponse.of(401, "Invalid signature");
    }
    String contentType = request.header("Content-Type");
    boolean form =
        contentType != null
            && contentType.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded");
    if (bytes.length > 0 && !form && !isJson(contentType)) {
      return CallbackResponse.of(415, "Content type must be application/json");
    }
    String bodyText;
    try {
      bodyText =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(java.nio.ByteBuffer.wrap(bytes))
              .toString();
    } catch (CharacterCodingException e) {
      return CallbackResponse.of(400, "Body is not valid UTF-8");
    }
    JsonNode body = null;
    if (form) {
      body =
          formObject(bodyText); // a form is stored and validated as the JSON object of its fields
      bodyText = body.toString();
    } else if (!bodyText.isBlank()) {
      try {
        body = untrusted.readTree(bodyText);
      } catch (JsonProcessingException e) {
        return CallbackResponse.of(400, describe(e));
      }
    }
    JsonNode parsed = body;
    List<String> problems = new ArrayList<>();
    List<Match> matches = new ArrayList<>();
    for (Candidate c : correlated) {
      CallbackDefinition def = c.definition();
      if (!def.method().equals(method)) {
        continue;
      }
      var rule = java.util.Objects.requireNonNull(def.correlation());
      String value = rule.callbackValue(request::header, parsed);
      if (value == null) {
        problems.add(def.key() + ": no correlation value at " + rule.callback());
        continue;
      }
      List<String> errors = validate(c.plan(), def, parsed, bodyText);
      if (!errors.isEmpty()) {
        errors.forEach(e -> problems.add(def.key() + ": " + e));
        continue;
      }
      var declared = def.requestBody();
      int constants =
          declared == null || parsed == null ? 0 : constantsMatched(declared.schema(), parsed, 0);
      matches.add(new Match(c, value, constants));
    }
    if (matches.isEmpty()) {
      return CallbackResponse.of(
          400, "Body matches no callback awaited at this address: " + String.join("; ", problems));
    }
    // the body's own key first: the one naming most of its constants, then the first declared
    matches.sort(java.util.Comparator.comparingInt((Match m) -> -m.constants()));
    for (Match m : matches) {
      CallbackDefinition def = m.candidate().definition();
      String operation = m.candidate().plan().operation().id();
      List<InvocationRow> found =
          store.invocationsByCorrelation(name, operation, def.key(), m.value(), 1);
      if (!found.isEmpty()) {
        InvocationRow inv = found.get(0);
        String where = method + " callback for " + def.key() + " at the shared address";
        CallbackResponse refused = refusedByStatus(inv, where, now);
        if (refused != null) {
          return refused;
        }
        return asDeclared(def, store(inv, -1, def, request, method, bodyText, now));
      }
    }
    Match best = matches.get(0);
    CallbackDefinition def = best.candidate().definition();
    correlator.hold(
        name,
        best.candidate().plan().operation().id(),
        def.key(),
        best.value(),
        method,
        headersJson(request, secretNames),
        bodyText,
        dedupKey(request, def.key(), method, bodyText),
        now);
    return CallbackResponse.of(202, "Callback held until its invocation is known");
  }

  /** A correlated definition and the operation it belongs to. */
  private record Candidate(OperationPlan plan, CallbackDefinition definition) {}

  /** A candidate the body fits, with its correlation value and constants matched. */
  private record Match(Candidate candidate, String value, int constants) {}

  private static List<Candidate> correlated(ServicePlan service) {
    List<Candidate> out = new ArrayList<>();
    for (var op : service.definition().operations()) {
      OperationPlan plan = service.operation(op.id()).orElse(null);
      if (plan == null) {
        continue;
      }
      for (CallbackDefinition def : plan.operation().callbacks()) {
        if (def.awaitableByCorrelation()) {
          out.add(new Candidate(plan, def));
        }
      }
    }
    return out;
  }

  /** A form body as a JSON object: each field a string, a repeated one an array of them. */
  private static JsonNode formObject(String body) {
    var object = Json.MAPPER.createObjectNode();
    for (Map.Entry<String, String> field : SignatureCheck.form(body)) {
      JsonNode had = object.get(field.getKey());
      if (had == null) {
        object.put(field.getKey(), field.getValue());
      } else if (had.isArray()) {
        ((com.fasterxml.jackson.databind.node.ArrayNode) had).add(field.getValue());
      } else {
        object.putArray(field.getKey()).add(had).add(field.getValue());
      }
    }
    return object;
  }

  /** The public URL the sender called (without the query, which adapters do not pass on). */
  private String publicUrl(CallbackRequest request) {
    String path = request.path().startsWith("/") ? request.path() : "/" + request.path();
    return callbackUrl.get() + path;
  }

  /**
   * 404 for a cancelled invocation, 408 for one past its deadline (timing it out); null when its
   * status lets the callback through.
   */
  private @Nullable CallbackResponse refusedByStatus(InvocationRow inv, String where, Instant now) {
    UUID id = inv.id();
    if (inv.status() == InvocationStatus.CANCELLED) {
      budgetedEvent(
          id, now, EventKind.CALLBACK_REJECTED, where + " refused: the invocation was cancelled");
      return CallbackResponse.of(404, UNKNOWN);
    }
    if (inv.status() == InvocationStatus.TIMED_OUT
        || (inv.status() == InvocationStatus.PENDING && !now.isBefore(inv.deadline()))) {
      if (inv.status() == InvocationStatus.PENDING
          && store.finish(
              id,
              InvocationStatus.TIMED_OUT,
              "Callback timeout reached",
              now,
              new NewEvent(
                  id, now, EventKind.TIMED_OUT, "Callback timeout reached at " + inv.deadline()))) {
        meters.finished(inv.service(), inv.operation(), InvocationStatus.TIMED_OUT);
        tracing.timedOut(inv, "Callback timeout reached at " + inv.deadline());
      }
      return reject(
          id,
          now,
          408,
          where + " arrived after the callback timeout (" + inv.deadline() + ")",
          "Callback timeout reached",
          Map.of());
    }
    return null;
  }

  /**
   * The answer a handled (or durably stored) callback's sender gets: the lowest 2xx its callback
   * operation declares, 200 when it declares none; 204 and 205 without a body.
   */
  private static CallbackResponse asDeclared(CallbackDefinition def, CallbackResponse answer) {
    int code = successCode(def);
    if (answer.status() != 200 || code == 200) {
      return answer;
    }
    return new CallbackResponse(
        code, code == 204 || code == 205 ? "" : answer.body(), answer.headers());
  }

  /** The lowest 2xx status the callback operation declares; 200 when it declares none. */
  static int successCode(CallbackDefinition def) {
    int lowest = 0;
    for (String status : def.responses().keySet()) {
      if (status.length() == 3
          && status.charAt(0) == '2'
          && status.chars().allMatch(Character::isDigit)) {
        int code = Integer.parseInt(status);
        lowest = lowest == 0 ? code : Math.min(lowest, code);
      }
    }
    return lowest == 0 ? 200 : lowest;
  }

  /**
   * @param storedCallbacks the invocation's stored callbacks as counted with the token, -1 when the
   *     store did not count them
   */
  private CallbackResponse store(
      InvocationRow inv,
      long storedCallbacks,
      CallbackDefinition def,
      CallbackRequest request,
      String method,
      String bodyText,
      Instant now) {
    UUID id = inv.id();
    String key = def.key();
    String dedupKey = dedupKey(request, key, method, bodyText);
    if (inv.status() == InvocationStatus.COMPLETED) {
      return afterCompletion(inv, key, request, method, bodyText, dedupKey, now);
    }
    CallbackResponse overQuota =
        quotaRefusal(inv, storedCallbacks, key, method, bodyText, dedupKey, now);
    if (overQuota != null) {
      return overQuota;
    }
    CallbackRow row =
        new CallbackRow(
            UuidV7.at(now),
            id,
            key,
            now,
            method,
            headersJson(request, secretNames),
            bodyText,
            dedupKey,
            CallbackOutcome.RECEIVED,
            null,
            0,
            null);
    NewEvent received =
        new NewEvent(
            id,
            now,
            EventKind.CALLBACK_RECEIVED,
            method
                + " callback "
                + key
                + " received ("
                + bodyText.length()
                + " characters), stored");
    boolean durable = acknowledgements.durable(inv.service(), inv.operation());
    // One write before the answer: stored and, when new, either recorded with its invocation
    // completed (no handler, a waiting sender) or its invocation leased to the run below.
    // A progress key's callback leaves the invocation PENDING: it goes through the processor,
    // which records it (and the callbacks waiting with it) without completing.
    CallbackRole role = roleOf(inv, key);
    boolean recordOnly = !durable && inv.handlerType() == null && role.finalKey();
    CallbackInsert insert =
        recordOnly ? worker.storeAndRecord(row, received) : worker.storeAndClaim(row, received);
    CallbackRow stored = insert.row();
    if (!insert.duplicate()) {
      storedBytes.stored(utf8Length(bodyText));
      meters.callbackDelay(
          inv.service(), inv.operation(), key, Duration.between(inv.submitTime(), now));
      Duration heartbeat = role.heartbeat();
      if (heartbeat != null) {
        // At arrival, before the handler runs: the sender is alive whatever the handler does.
        // The callback is stored (and its invocation maybe leased to the run below) by now: a
        // deadline that could not be moved must not leave that lease to run out unused.
        try {
          heartbeats.beat(id, key, heartbeat, now);
        } catch (RuntimeException e) {
          log.warn("Invocation {}: heartbeat of {} not applied: {}", id, key, e.toString());
        }
      }
      if (recordOnly && stored.outcome() == CallbackOutcome.HANDLED) {
        // completed in the same write as the insert: counted here, as the processor counts its own
        meters.finished(inv.service(), inv.operation(), InvocationStatus.COMPLETED);
        return CallbackResponse.of(200, "Callback handled");
      }
    }
    if (insert.duplicate()) {
      CallbackResponse settled = answerForRepeat(stored, durable);
      if (settled != null) {
        return settled;
      }
    }
    if (durable) {
      worker.submit(stored, insert.lease(), inv);
      return CallbackResponse.of(200, "Callback stored");
    }
    return worker.runBounded(stored, inv, insert.lease());
  }

  private CallbackRole roleOf(InvocationRow inv, String key) {
    ServicePlan plan = plans.apply(inv.service(), inv.operation());
    return plan == null
        ? CallbackRole.FINAL
        : plan.operation(inv.operation()).map(o -> o.role(key)).orElse(CallbackRole.FINAL);
  }

  /**
   * A callback for a completed invocation: a repeat of the callback that completed it gets 200, of
   * any other 409; a new one is answered 409 and stored for the record only while fewer than {@link
   * StorageQuotas#callbacksAfterFinal()} arrived after completion. The handler never runs.
   */
  private CallbackResponse afterCompletion(
      InvocationRow inv,
      String key,
      CallbackRequest request,
      String method,
      String bodyText,
      String dedupKey,
      Instant now) {
    UUID id = inv.id();
    Optional<CallbackRow> same = store.callbackByDedupKey(id, dedupKey);
    if (same.isPresent()) {
      return repeatAfterCompletion(same.get(), now);
    }
    Instant finishedAt = inv.finishedAt();
    Instant finished = finishedAt != null ? finishedAt : inv.submitTime();
    long late = store.callbackCount(id, finished);
    long bytes = utf8Length(bodyText);
    if (late >= quotas.callbacksAfterFinal() || !storedBytes.fits(bytes)) {
      budgetedEvent(
          id,
          now,
          EventKind.CALLBACK_REJECTED,
          method
              + " callback "
              + key
              + " arrived after the invocation completed; not stored ("
              + late
              + " callbacks after completion are kept), handler not run → 409");
      return CallbackResponse.of(409, COMPLETED);
    }
    CallbackRow row =
        new CallbackRow(
            UuidV7.at(now),
            id,
            key,
            now,
            method,
            headersJson(request, secretNames),
            bodyText,
            dedupKey,
            CallbackOutcome.NOT_HANDLED,
            409,
            0,
            "invocation already completed");
    CallbackInsert insert =
        store.insertCallback(
            row,
            new NewEvent(
                id,
                now,
                EventKind.CALLBACK_REJECTED,
                method
                    + " callback "
                    + key
                    + " arrived after the invocation completed; stored for the record, handler"
                    + " not run → 409"));
    if (insert.duplicate()) {
      return repeatAfterCompletion(insert.row(), now); // the same body raced in a moment ago
    }
    storedBytes.stored(bytes);
    return CallbackResponse.of(409, COMPLETED);
  }

  private CallbackResponse repeatAfterCompletion(CallbackRow stored, Instant now) {
    if (stored.outcome() == CallbackOutcome.HANDLED) {
      budgetedEvent(
          stored.invocationId(),
          now,
          EventKind.CALLBACK_DUPLICATE,
          "Repeat of handled callback " + stored.key() + " answered 200; handler not run");
      return CallbackResponse.of(200, "Callback handled");
    }
    // not handled, failed or kept for the record: the invocation is complete either way, and a
    // 5xx would only invite more retries
    budgetedEvent(
        stored.invocationId(),
        now,
        EventKind.CALLBACK_DUPLICATE,
        "Repeat of callback " + stored.key() + " after the invocation completed → 409");
    return CallbackResponse.of(409, COMPLETED);
  }

  /**
   * 507 when a new callback would pass the invocation's or the global storage quota; null when it
   * may be stored (a repeat of a stored one always may: it stores nothing).
   */
  private @Nullable CallbackResponse quotaRefusal(
      InvocationRow inv,
      long storedCallbacks,
      String key,
      String method,
      String bodyText,
      String dedupKey,
      Instant now) {
    UUID id = inv.id();
    long count = storedCallbacks >= 0 ? storedCallbacks : store.callbackCount(id, Instant.EPOCH);
    String reason;
    if (count >= quotas.callbacksPerInvocation()) {
      reason =
          "this invocation has "
              + count
              + " callbacks stored, its quota ("
              + quotas.callbacksPerInvocation()
              + ")";
    } else if (!storedBytes.fits(utf8Length(bodyText))) {
      reason = "the callback storage quota (" + storedBytes.quota() + " bytes) is reached";
    } else {
      return null;
    }
    if (store.callbackByDedupKey(id, dedupKey).isPresent()) {
      return null;
    }
    budgetedEvent(
        id,
        now,
        EventKind.CALLBACK_REJECTED,
        method + " callback " + key + " refused, not stored: " + reason + " → 507");
    String answer =
        count >= quotas.callbacksPerInvocation()
            ? "Callback quota of this invocation reached"
            : "Callback storage quota reached";
    return CallbackResponse.of(507, answer);
  }

  /** The answer for a repeat of a stored callback, or null when it must be processed (again). */
  private @Nullable CallbackResponse answerForRepeat(CallbackRow stored, boolean durable) {
    UUID id = stored.invocationId();
    Instant now = clock.instant();
    CallbackRow current = stored;
    if (current.outcome() == CallbackOutcome.RECEIVED) {
      if (worker.runningHere(stored.id())) {
        // A concurrent repeat waits for the first copy's outcome and gets the same answer.
        current = worker.awaitSettled(stored.id());
      } else {
        // Read again after that check: a run that has just ended here has recorded its outcome.
        current = store.callback(stored.id()).orElse(current);
        if (current.outcome() == CallbackOutcome.RECEIVED && !durable) {
          // Nothing here runs it: a run ended without an outcome (its completion or commit failed,
          // or another callback held the invocation) or its process died. The sender's retry runs
          // it now instead of waiting for recovery; the lease keeps a run elsewhere from doubling.
          event(
              id,
              now,
              EventKind.CALLBACK_RETRY,
              "Callback "
                  + stored.key()
                  + " sent again while stored unfinished; handler runs again");
          return null;
        }
      }
    }
    switch (current.outcome()) {
      case HANDLED -> {
        budgetedEvent(
            id,
            now,
            EventKind.CALLBACK_DUPLICATE,
            "Repeat of handled callback " + stored.key() + " answered 200; handler not run");
        return CallbackResponse.of(200, "Callback handled");
      }
      case RECEIVED -> {
        if (durable) {
          return CallbackResponse.of(200, "Callback stored");
        }
        event(
            id,
            now,
            EventKind.CALLBACK_DUPLICATE,
            "Repeat of callback " + stored.key() + " while it is being handled");
        return CallbackResponse.of(
            503, "Callback is being handled, retry later", Map.of("Retry-After", "1"));
      }
      case FAILED -> {
        if (durable) {
          return CallbackResponse.of(200, "Callback stored");
        }
        event(
            id,
            now,
            EventKind.CALLBACK_RETRY,
            "Callback " + stored.key() + " sent again; handler runs again");
        return null;
      }
      case NOT_HANDLED -> {
        event(
            id,
            now,
            EventKind.CALLBACK_RETRY,
            "Callback " + stored.key() + " sent again; handler runs again");
        return null;
      }
    }
    return null;
  }

  /**
   * How many of the body's values a schema states as constants (a {@code const}, or an {@code enum}
   * of one value), through properties and {@code allOf} members.
   */
  static int constantsMatched(@Nullable JsonNode schema, JsonNode value, int depth) {
    if (schema == null || !schema.isObject() || depth > 16) {
      return 0;
    }
    int matched = 0;
    JsonNode single =
        schema.has("const")
            ? schema.get("const")
            : schema.path("enum").isArray() && schema.get("enum").size() == 1
                ? schema.get("enum").get(0)
                : null;
    if (single != null && single.equals(value)) {
      matched++;
    }
    if (value.isObject()) {
      for (Map.Entry<String, JsonNode> p : schema.path("properties").properties()) {
        JsonNode member = value.get(p.getKey());
        if (member != null) {
          matched += constantsMatched(p.getValue(), member, depth + 1);
        }
      }
    }
    for (JsonNode member : schema.path("allOf")) {
      matched += constantsMatched(member, value, depth + 1);
    }
    return matched;
  }

  private List<String> validate(
      OperationPlan plan, CallbackDefinition def, @Nullable JsonNode body, String text) {
    if (body == null) {
      return def.requestBody() != null && def.requestBody().required()
          ? List.of("/: a JSON body is required")
          : List.of();
    }
    PayloadValidator validator = plan.validator(def).orElse(null);
    if (validator == null) {
      return List.of();
    }
    try {
      return validator.validate(text);
    } catch (RuntimeException | StackOverflowError e) {
      throw new IllegalStateException(
          "the body validator of callback " + def.key() + " failed (" + e + ")", e);
    }
  }

  private CallbackResponse reject(
      UUID id,
      Instant now,
      int status,
      String eventMessage,
      String answer,
      Map<String, String> headers) {
    budgetedEvent(
        id,
        now,
        status == 408 ? EventKind.CALLBACK_LATE : EventKind.CALLBACK_REJECTED,
        eventMessage + " → " + status);
    return CallbackResponse.of(status, answer, headers);
  }

  private void event(UUID id, Instant at, EventKind kind, String message) {
    store.appendEvent(new NewEvent(id, at, kind, message));
  }

  /** An event for a refusal or a repeat: written only within the invocation's event budget. */
  private void budgetedEvent(UUID id, Instant at, EventKind kind, String message) {
    switch (eventBudget.spend(id)) {
      case WRITE -> event(id, at, kind, message);
      case WRITE_LAST ->
          event(
              id,
              at,
              kind,
              message
                  + " (further refusals and repeats of this invocation are answered but not"
                  + " written here)");
      case SKIP -> log.debug("Invocation {}: {} (not written to its log)", id, message);
    }
  }

  private static long utf8Length(String text) {
    return text.getBytes(StandardCharsets.UTF_8).length;
  }

  /**
   * Where this token's callback of this definition must arrive: the suffix evaluated from the
   * request when the token was minted, or the literal suffix of the template.
   */
  private static String expectedSuffix(TokenRow token, CallbackDefinition def) {
    return token.suffixes().getOrDefault(def.expression(), def.literalSuffix());
  }

  /** Equal paths (the query is not compared), the received one as sent or percent-decoded. */
  private static boolean sameSuffix(String expected, String received) {
    String want = strip(expected);
    String got = strip(received);
    if (want.equals(got)) {
      return true;
    }
    try {
      return want.equals(URLDecoder.decode(got.replace("+", "%2B"), StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      return false; // a malformed escape is not the expected suffix
    }
  }

  private static String strip(String s) {
    int q = s.indexOf('?');
    String p = q < 0 ? s : s.substring(0, q);
    return p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
  }

  private static boolean isJson(@Nullable String contentType) {
    if (contentType == null) {
      return false;
    }
    String type = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    return type.equals("application/json") || type.endsWith("+json");
  }

  /** The sender's idempotency key when it gives one, else a hash of key, method and body. */
  private static String dedupKey(CallbackRequest request, String key, String method, String body) {
    String idem = request.header("Idempotency-Key");
    if (idem == null) {
      idem = request.header("webhook-id");
    }
    String material =
        idem != null ? "h\n" + key + "\n" + idem : "b\n" + key + "\n" + method + "\n" + body;
    return HexFormat.of().formatHex(Tokens.sha256(material.getBytes(StandardCharsets.UTF_8)));
  }

  /**
   * The sender's headers as stored with its callback, secret ones masked: a JSON object of strings
   * by lower-case name, in name order. Written here as Jackson writes such a map (the same escapes,
   * {@link JsonStringEncoder}), without a serializer per callback: that was about 5 % of a first
   * delivery's samples in JFR.
   */
  static String headersJson(CallbackRequest request, SecretNames secretNames) {
    Map<String, String> kept = new TreeMap<>();
    request
        .headers()
        .forEach(
            (name, values) -> {
              String lower = name.toLowerCase(Locale.ROOT);
              kept.put(lower, secretNames.shown(lower, String.join(", ", values)));
            });
    JsonStringEncoder quote = JsonStringEncoder.getInstance();
    StringBuilder json = new StringBuilder(48 * kept.size() + 2).append('{');
    for (Map.Entry<String, String> header : kept.entrySet()) {
      if (json.length() > 1) {
        json.append(',');
      }
      json.append('"');
      quote.quoteAsString(header.getKey(), json);
      json.append("\":\"");
      quote.quoteAsString(header.getValue(), json);
      json.append('"');
    }
    return json.append('}').toString();
  }

  private static String describe(JsonProcessingException e) {
    JsonLocation loc = e.getLocation();
    String at = loc == null ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
    String msg = e.getOriginalMessage();
    if (msg != null && msg.length() > 200) {
      msg = msg.substring(0, 200) + "…";
    }
    return "Malformed JSON" + at + ": " + msg;
  }
}
