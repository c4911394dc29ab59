package dev.extsvc.runtime.receive;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.extsvc.runtime.CallbackRequest;
import dev.extsvc.runtime.CallbackResponse;
import dev.extsvc.runtime.Limits;
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
import dev.extsvc.runtime.support.Tokens;
import dev.extsvc.runtime.support.UuidV7;
import dev.extsvc.spec.CallbackDefinition;
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
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The callback endpoint's core, behind the public {@link dev.extsvc.runtime.CallbackReceiver}:
 * token → invocation and key, checks, store, handler, answer. Answers 200 (handled), 400 (bad
 * body), 404 (unknown, or not handled), 405, 408 (timed out), 413, 415, 500 (handler failed) and
 * 503 (store unavailable). Nothing is answered 2xx before the callback is committed.
 */
public final class CallbackIntake {
  private static final Logger log = LoggerFactory.getLogger(CallbackIntake.class);
  private static final String UNKNOWN = CallbackWorker.UNKNOWN;
  private static final Set<String> SECRET_HEADERS =
      Set.of("authorization", "proxy-authorization", "cookie", "x-api-key");

  /**
   * What the receive stage needs, fixed by the builder.
   *
   * @param plans a registered service's plan, or null when it is no longer registered
   * @param webhookSecrets per service, the Standard Webhooks secrets its callbacks must be signed
   *     with
   * @param unknownTokenLimit unknown-token answers per client and minute before it is answered 429
   * @param worker runs the handlers of the callbacks stored here
   */
  public record Context(
      Store store,
      InstantSource clock,
      Limits limits,
      int unknownTokenLimit,
      Function<String, @Nullable ServicePlan> plans,
      Acknowledgements acknowledgements,
      Map<String, List<String>> webhookSecrets,
      CallbackWorker worker) {}

  private final Store store;
  private final InstantSource clock;
  private final Limits limits;
  private final Function<String, @Nullable ServicePlan> plans;
  private final Acknowledgements acknowledgements;
  private final Map<String, WebhookSignatures> signatures;
  private final CallbackWorker worker;
  private final ObjectMapper untrusted;
  private final UnknownTokenLimiter unknownTokens;
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile boolean accepting = true;

  public CallbackIntake(Context context) {
    this.store = context.store();
    this.clock = context.clock();
    this.limits = context.limits();
    this.plans = context.plans();
    this.acknowledgements = context.acknowledgements();
    this.worker = context.worker();
    Map<String, WebhookSignatures> sigs = new HashMap<>();
    context
        .webhookSecrets()
        .forEach((service, secrets) -> sigs.put(service, new WebhookSignatures(secrets)));
    this.signatures = Map.copyOf(sigs);
    this.unknownTokens =
        new UnknownTokenLimiter(context.unknownTokenLimit(), Duration.ofMinutes(1));
    this.untrusted =
        Json.untrusted(limits.maxNestingDepth(), limits.maxNumberLength(), limits.maxBodyBytes());
  }

  /**
   * Fails with a clear message unless the secrets can sign webhooks (at least one, each base64).
   */
  public static void checkWebhookSecrets(List<String> secrets) {
    new WebhookSignatures(secrets);
  }

  public Limits limits() {
    return limits;
  }

  /** Answers one callback; see the class comment for the answers. */
  public CallbackResponse handle(CallbackRequest request) {
    if (!accepting) {
      return CallbackResponse.of(503, "Shutting down, retry later", Map.of("Retry-After", "5"));
    }
    if (unknownTokens.overLimit(request.remoteAddress())) {
      return CallbackResponse.of(429, "Too many requests", Map.of("Retry-After", "60"));
    }
    inFlight.incrementAndGet();
    try {
      return receive(request);
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

  private CallbackResponse receive(CallbackRequest request) {
    String path = request.path().startsWith("/") ? request.path().substring(1) : request.path();
    int slash = path.indexOf('/');
    String token = slash < 0 ? path : path.substring(0, slash);
    String suffix = slash < 0 ? "" : path.substring(slash);
    if (!Tokens.wellFormed(token)) {
      unknownTokens.record(request.remoteAddress());
      return CallbackResponse.of(404, UNKNOWN);
    }
    byte[] hash = Tokens.hash(token);
    Optional<TokenLookup> found = store.tokenWithInvocation(hash);
    if (found.isEmpty()) {
      unknownTokens.record(request.remoteAddress());
      log.debug("Callback for unknown token sha256:{}", Tokens.hashPrefix(hash));
      return CallbackResponse.of(404, UNKNOWN);
    }
    TokenRow t = found.get().token();
    InvocationRow inv = found.get().invocation();
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
    if (inv.status() == InvocationStatus.CANCELLED) {
      event(id, now, EventKind.CALLBACK_REJECTED, where + " refused: the invocation was cancelled");
      return CallbackResponse.of(404, UNKNOWN);
    }
    if (inv.status() == InvocationStatus.TIMED_OUT
        || (inv.status() == InvocationStatus.PENDING && !now.isBefore(inv.deadline()))) {
      if (inv.status() == InvocationStatus.PENDING) {
        store.finish(
            id,
            InvocationStatus.TIMED_OUT,
            "Callback timeout reached",
            now,
            new NewEvent(
                id, now, EventKind.TIMED_OUT, "Callback timeout reached at " + inv.deadline()));
      }
      return reject(
          id,
          now,
          408,
          where + " arrived after the callback timeout (" + inv.deadline() + ")",
          "Callback timeout reached",
          Map.of());
    }
    ServicePlan service = plans.apply(inv.service());
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
    if (signature != null
        && !signature.verify(
            request.header("webhook-id"),
            request.header("webhook-timestamp"),
            request.header("webhook-signature"),
            bytes,
            now)) {
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
    List<String> problems = new ArrayList<>();
    for (CallbackDefinition def : bySuffix) {
      List<String> errors = validate(plan, def, body, bodyText);
      if (errors.isEmpty()) {
        chosen = def;
        break;
      }
      errors.forEach(e -> problems.add(bySuffix.size() > 1 ? def.key() + ": " + e : e));
    }
    if (chosen == null) {
      String message = "Body does not match the callback's schema: " + String.join("; ", problems);
      return reject(id, now, 400, where + " refused: " + message, message, Map.of());
    }
    return store(inv, chosen, request, method, bodyText, now);
  }

  private CallbackResponse store(
      InvocationRow inv,
      CallbackDefinition def,
      CallbackRequest request,
      String method,
      String bodyText,
      Instant now) {
    UUID id = inv.id();
    String key = def.key();
    String dedupKey = dedupKey(request, key, method, bodyText);
    CallbackRow row =
        new CallbackRow(
            UuidV7.at(now),
            id,
            key,
            now,
            method,
            headersJson(request),
            bodyText,
            dedupKey,
            CallbackOutcome.RECEIVED,
            null,
            0,
            null);
    CallbackInsert insert =
        store.insertCallback(
            row,
            new NewEvent(
                id,
                now,
                EventKind.CALLBACK_RECEIVED,
                method
                    + " callback "
                    + key
                    + " received ("
                    + bodyText.length()
                    + " characters), stored"));
    CallbackRow stored = insert.row();
    boolean durable = acknowledgements.durable(inv.service(), inv.operation());
    if (insert.duplicate()) {
      CallbackResponse settled = answerForRepeat(stored, durable);
      if (settled != null) {
        return settled;
      }
    }
    if (durable) {
      worker.submit(stored);
      return CallbackResponse.of(200, "Callback stored");
    }
    return worker.runBounded(stored, inv);
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
        event(
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

  private List<String> validate(
      OperationPlan plan, CallbackDefinition def, @Nullable JsonNode body, String text) {
    if (body == null) {
      return def.requestBody() != null && def.requestBody().required()
          ? List.of("/: a JSON body is required")
          : List.of();
    }
    return plan.validator(def).map(v -> v.validate(text)).orElse(List.of());
  }

  private CallbackResponse reject(
      UUID id,
      Instant now,
      int status,
      String eventMessage,
      String answer,
      Map<String, String> headers) {
    event(
        id,
        now,
        status == 408 ? EventKind.CALLBACK_LATE : EventKind.CALLBACK_REJECTED,
        eventMessage + " → " + status);
    return CallbackResponse.of(status, answer, headers);
  }

  private void event(UUID id, Instant at, EventKind kind, String message) {
    store.appendEvent(new NewEvent(id, at, kind, message));
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

  private static String headersJson(CallbackRequest request) {
    Map<String, String> kept = new TreeMap<>();
    request
        .headers()
        .forEach(
            (name, values) -> {
              String lower = name.toLowerCase(Locale.ROOT);
              kept.put(lower, SECRET_HEADERS.contains(lower) ? "****" : String.join(", ", values));
            });
    return Json.write(kept);
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
