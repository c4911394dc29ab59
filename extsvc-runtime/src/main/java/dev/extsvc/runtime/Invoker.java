package dev.extsvc.runtime;

import dev.extsvc.runtime.internal.Json;
import dev.extsvc.runtime.internal.Tokens;
import dev.extsvc.runtime.internal.UuidV7;
import dev.extsvc.runtime.store.InvocationRow;
import dev.extsvc.runtime.store.InvocationStatus;
import dev.extsvc.runtime.store.NewEvent;
import dev.extsvc.runtime.store.TokenRow;
import dev.extsvc.spec.Operation;
import dev.extsvc.spec.Parameter;
import dev.extsvc.spec.ParameterLocation;
import dev.extsvc.spec.RequestParts;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Makes invocations: callback URLs in, invocation persisted, callout, answer recorded. */
final class Invoker {
  private static final Logger log = LoggerFactory.getLogger(Invoker.class);
  private static final Pattern PATH_PARAM = Pattern.compile("\\{([^}]+)}");

  private final ExternalServices services;

  Invoker(ExternalServices services) {
    this.services = services;
  }

  InvocationResult invoke(
      String serviceName,
      String operationId,
      RequestParts input,
      @Nullable CallbackHandler handler,
      @Nullable Duration requestedTimeout) {
    ServicePlan service = services.plan(serviceName);
    OperationPlan plan = service.operation(operationId).orElseThrow(() -> new ExtsvcException(
        "unknown operation '" + operationId + "' of service " + serviceName + "; operations: "
            + service.operations().keySet()));
    if (service.endpoint() == null) {
      throw new ExtsvcException("service " + serviceName + " has no endpoint: configure one (callouts go only to"
          + " a configured endpoint; its spec's servers are " + service.definition().servers() + ")");
    }
    Outbound outbound = service.outbound();
    // refused before anything is persisted or sent: a call that cannot authenticate must not reach the service
    outbound.checkSecurity(operationId, service.security().requirements(operationId));
    Operation op = plan.operation();
    RequestParts sent = input.copy();
    RequestParts shown = input.copy();
    Instant now = services.clock().instant();
    UUID id = UuidV7.at(now);
    List<NewEvent> events = new ArrayList<>();
    List<TokenRow> tokens = new ArrayList<>();
    Map<String, String> callbackUrls = new LinkedHashMap<>();
    Duration timeout = Duration.ZERO;
    if (plan.async()) {
      timeout = services.resolveCallbackTimeout(requestedTimeout, outbound.settings());
      events.add(new NewEvent(id, now, "SUBMITTED", "Invocation of " + serviceName + "." + operationId
          + " submitted; callback timeout " + timeout + ", deadline " + now.plus(timeout)));
      for (OperationPlan.Target t : plan.targets()) {
        String token = Tokens.mint();
        byte[] hash = Tokens.hash(token);
        String prefix = services.publicBaseUrl() + services.callbackPath();
        String url = prefix + "/" + token;
        String masked = Tokens.maskedUrl(prefix, hash);
        try {
          t.target().inject(sent, url);
          t.target().inject(shown, masked);
        } catch (IllegalArgumentException e) {
          throw new ExtsvcException("cannot write the callback URL for " + t.keys() + " of " + serviceName + "."
              + operationId + " into the " + t.target().describe() + ": " + e.getMessage(), e);
        }
        tokens.add(new TokenRow(hash, id, t.target().id(), t.keys()));
        t.keys().forEach(k -> callbackUrls.put(k, url));
        events.add(new NewEvent(id, now, "CALLBACK_URL", "Callback URL for " + String.join(", ", t.keys())
            + " written to the " + t.target().describe() + " (token sha256:" + Tokens.hashPrefix(hash) + ")"));
      }
    } else {
      events.add(new NewEvent(id, now, "SUBMITTED", "Invocation of " + serviceName + "." + operationId
          + " submitted (synchronous)"));
    }
    Outbound.Draft draft = draft(service.endpoint(), op, sent);
    outbound.checkDestination(service.endpoint(), URI.create(draft.url()));
    Outbound.Ready ready;
    try {
      ready = outbound.authenticate(draft); // an OAuth token is fetched here, before the invocation exists
    } catch (IOException e) {
      throw new CalloutException("callout of " + serviceName + "." + operationId + " not made: " + describe(e), null, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CalloutException("callout interrupted", null, e);
    }
    HttpRequest request = ready.request();
    // A synchronous invocation whose process dies mid-callout is timed out by the sweeper after this.
    Instant deadline = now.plus(plan.async() ? timeout : services.syncTimeout().plusMinutes(1));
    String handlerType = handler == null ? null : handler.getClass().getName();
    String handlerState = handler == null ? null : services.handlers().stateOf(handler);
    InvocationRow row = new InvocationRow(id, serviceName, operationId, plan.async(), InvocationStatus.PENDING,
        null, handlerType, handlerState, shown.toJson().toString(), null, null, null, now, deadline, null);
    // Persist before the first byte goes out: a callback that beats the answer finds its invocation.
    services.store().createInvocation(row, tokens, events);

    long started = System.nanoTime();
    HttpResponse<String> response;
    try {
      response = outbound.send(request);
      if (response.statusCode() == 401 && outbound.refreshesOnUnauthorized()) {
        // the token may have been revoked or expired early: one new token, one more try, never a loop
        Instant at = services.clock().instant();
        services.store().appendEvent(new NewEvent(id, at, "CALLOUT", op.method() + " " + redact(request.uri())
            + " answered 401; fetching a new access token and trying once more"));
        outbound.unauthorized(ready);
        ready = outbound.authenticate(draft);
        request = ready.request();
        response = outbound.send(request);
      }
    } catch (IOException | RuntimeException e) {
      String reason = "Callout " + op.method() + " " + redact(request.uri()) + " failed: " + describe(e);
      cancel(id, reason);
      throw new CalloutException(reason, plan.async() ? id : null, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      cancel(id, "Callout interrupted");
      throw new CalloutException("callout interrupted", plan.async() ? id : null, e);
    }
    long millis = (System.nanoTime() - started) / 1_000_000;
    int status = response.statusCode();
    Instant answered = services.clock().instant();
    services.store().recordSyncAnswer(id, status, Json.write(response.headers().map()), response.body(),
        new NewEvent(id, answered, "CALLOUT", op.method() + " " + redact(request.uri()) + " answered " + status
            + " in " + millis + " ms"));
    if (status < 200 || status > 299) {
      cancel(id, "Callout answered " + status);
    } else if (!plan.async()) {
      services.store().finish(id, InvocationStatus.COMPLETED, null, answered,
          new NewEvent(id, answered, "COMPLETED", "Synchronous answer " + status));
    }
    log.debug("Invocation {} of {}.{} answered {}", id, serviceName, operationId, status);
    return new InvocationResult(id, plan.async(), status, response.headers().map(), response.body(), sent,
        callbackUrls);
  }

  private void cancel(UUID id, String reason) {
    Instant at = services.clock().instant();
    services.store().finish(id, InvocationStatus.CANCELLED, reason, at, new NewEvent(id, at, "CANCELLED", reason));
  }

  private Outbound.Draft draft(String endpoint, Operation op, RequestParts parts) {
    StringBuilder url = new StringBuilder(endpoint);
    Matcher m = PATH_PARAM.matcher(op.path());
    int last = 0;
    while (m.find()) {
      url.append(op.path(), last, m.start());
      String value = parts.path().get(m.group(1));
      if (value == null) {
        throw new ExtsvcException("missing path parameter '" + m.group(1) + "' for operation " + op.id());
      }
      url.append(URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20"));
      last = m.end();
    }
    url.append(op.path().substring(last));
    for (Parameter p : op.parameters()) {
      if (p.required() && p.in() == ParameterLocation.QUERY && !parts.query().containsKey(p.name())) {
        throw new ExtsvcException("missing required query parameter '" + p.name() + "' for operation " + op.id());
      }
    }
    String sep = "?";
    for (Map.Entry<String, List<String>> q : parts.query().entrySet()) {
      for (String v : q.getValue()) {
        url.append(sep).append(encode(q.getKey())).append('=').append(encode(v));
        sep = "&";
      }
    }
    try {
      URI.create(url.toString());
    } catch (IllegalArgumentException e) {
      throw new ExtsvcException("cannot build the URL for operation " + op.id() + ": " + e.getMessage(), e);
    }
    String contentType = op.requestBody() == null ? "application/json" : op.requestBody().mediaType();
    Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    headers.put("Accept", "application/json");
    HttpRequest.Builder probe = HttpRequest.newBuilder();
    parts.headers().forEach((name, value) -> {
      try {
        probe.header(name, value); // the client's own check of names and values
      } catch (IllegalArgumentException e) {
        throw new ExtsvcException("header '" + name + "' cannot be sent: " + e.getMessage(), e);
      }
      headers.put(name, value);
    });
    HttpRequest.BodyPublisher body = parts.body() == null
        ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(parts.body().toString());
    if (parts.body() != null && !headers.containsKey("Content-Type")) {
      headers.put("Content-Type", contentType);
    }
    return new Outbound.Draft(url.toString(), op.method(), headers, body);
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  /** The URL without its query, which may carry a callback URL with its token. */
  static String redact(URI uri) {
    String s = uri.toString();
    int q = s.indexOf('?');
    return q < 0 ? s : s.substring(0, q) + "?…";
  }

  private static String describe(Exception e) {
    String msg = e.getMessage();
    return e.getClass().getSimpleName() + (msg == null ? "" : ": " + msg);
  }
}
