package dev.extsvc.runtime.invoke;

import dev.extsvc.runtime.CallbackHandler;
import dev.extsvc.runtime.CalloutException;
import dev.extsvc.runtime.CredentialCheck;
import dev.extsvc.runtime.ExtsvcException;
import dev.extsvc.runtime.InvocationResult;
import dev.extsvc.runtime.ServiceSettings;
import dev.extsvc.runtime.credentials.Credential;
import dev.extsvc.runtime.observe.Telemetry;
import dev.extsvc.runtime.observe.Tracing;
import dev.extsvc.runtime.registry.OperationPlan;
import dev.extsvc.runtime.registry.ServicePlan;
import dev.extsvc.runtime.store.EventKind;
import dev.extsvc.runtime.store.InvocationRow;
import dev.extsvc.runtime.store.InvocationStatus;
import dev.extsvc.runtime.store.NewEvent;
import dev.extsvc.runtime.store.Store;
import dev.extsvc.runtime.store.TokenRow;
import dev.extsvc.runtime.support.Json;
import dev.extsvc.runtime.support.SecretNames;
import dev.extsvc.runtime.support.Tokens;
import dev.extsvc.runtime.support.UuidV7;
import dev.extsvc.spec.CallbackDefinition;
import dev.extsvc.spec.ExpressionContext;
import dev.extsvc.spec.ExpressionTemplate;
import dev.extsvc.spec.Operation;
import dev.extsvc.spec.Parameter;
import dev.extsvc.spec.ParameterLocation;
import dev.extsvc.spec.RequestParts;
import dev.extsvc.spec.SecurityRequirement;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes invocations: callback URLs in, invocation persisted, callout, answer recorded. Holds each
 * service's {@link Outbound} (its callout path), built at start for every configured service, so
 * that a missing credential or secret fails then.
 */
public final class Invoker {
  private static final Logger log = LoggerFactory.getLogger(Invoker.class);
  private static final Pattern PATH_PARAM = Pattern.compile("\\{([^}]+)}");

  /**
   * What invoking asks of processing: a handler's state to store, its type allowed back from then
   * on.
   */
  @FunctionalInterface
  public interface HandlerState {
    String stateOf(CallbackHandler handler);
  }

  /**
   * What the invoke stage needs, fixed by the builder.
   *
   * @param publicBaseUrl read at each invocation, without a trailing slash
   * @param http the client shared by services without a client of their own
   * @param allowedAddresses address blocks callouts may always go to (checked by {@link
   *     #checkAddressBlock})
   * @param secretNames the header and query parameter names whose values the stored copy masks
   * @param telemetry the callout's span (its context sent as {@code traceparent} and stored with
   *     the invocation) and the final statuses counted
   */
  public record Context(
      Store store,
      InstantSource clock,
      Supplier<String> publicBaseUrl,
      String callbackPath,
      HandlerState handlers,
      Map<String, ServiceSettings> settings,
      Map<String, Credential> credentials,
      HttpClient http,
      boolean allowPrivateNetworks,
      List<String> allowedAddresses,
      Duration syncTimeout,
      Duration defaultCallbackTimeout,
      Duration maxCallbackTimeout,
      SecretNames secretNames,
      Telemetry telemetry) {}

  private final Context context;
  private final CallbackTimeouts callbackTimeouts;
  private final AddressPolicy addressPolicy;
  private final Map<String, Outbound> outbounds = new ConcurrentHashMap<>();

  public Invoker(Context context) {
    this.context = context;
    this.callbackTimeouts =
        new CallbackTimeouts(context.defaultCallbackTimeout(), context.maxCallbackTimeout());
    this.addressPolicy =
        AddressPolicy.of(
            context.allowPrivateNetworks(),
            context.allowedAddresses().stream().map(AddressPolicy.Cidr::parse).toList());
    // build every configured service's callout path now: a missing credential or secret fails here,
    // at start
    context.settings().forEach((name, s) -> outbounds.put(name, newOutbound(name, s)));
  }

  /**
   * Fails with a clear message unless the text is an address block such as "10.20.0.0/16" or
   * "fd12::/16".
   */
  public static void checkAddressBlock(String block) {
    AddressPolicy.Cidr.parse(block);
  }

  /**
   * The client services share unless they need their own: connect timeout, redirects never
   * followed.
   */
  public static HttpClient defaultHttpClient() {
    return HttpClient.newBuilder()
        .connectTimeout(Outbound.DEFAULT_CONNECT_TIMEOUT)
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
  }

  /**
   * For each operation of a service, the credentials its spec asks for and whether the service's
   * configured credentials cover them.
   */
  public List<CredentialCheck> credentialChecks(ServicePlan plan) {
    Outbound outbound = outbound(plan.name());
    List<String> names = outbound.credentials().stream().map(Credential::name).toList();
    List<CredentialCheck> checks = new ArrayList<>();
    for (Operation op : plan.definition().operations()) {
      List<SecurityRequirement> requirements = plan.security().requirements(op.id());
      boolean ok =
          requirements.isEmpty()
              || requirements.stream()
                  .anyMatch(r -> r.anonymous() || Outbound.satisfied(r, outbound.credentials()));
      checks.add(new CredentialCheck(op.id(), Outbound.expects(requirements), names, ok));
    }
    return checks;
  }

  /** Invokes an operation of a registered service; see {@code ExternalServices.invoke}. */
  public InvocationResult invoke(
      ServicePlan service,
      String operationId,
      RequestParts input,
      @Nullable CallbackHandler handler,
      @Nullable Duration requestedTimeout) {
    String serviceName = service.name();
    OperationPlan plan = service.requireOperation(operationId);
    if (service.endpoint() == null) {
      throw new ExtsvcException(
          "service "
              + serviceName
              + " has no endpoint: configure one (callouts go only to"
              + " a configured endpoint; its spec's servers are "
              + service.definition().servers()
              + ")");
    }
    Outbound outbound = outbound(serviceName);
    // refused before anything is persisted or sent: a call that cannot authenticate must not reach
    // the service
    outbound.checkSecurity(operationId, service.security().requirements(operationId));
    Operation op = plan.operation();
    RequestParts sent = input.copy();
    RequestParts shown = input.copy();
    Instant now = context.clock().instant();
    UUID id = UuidV7.at(now);
    List<NewEvent> events = new ArrayList<>();
    List<TokenRow> tokens = new ArrayList<>();
    Map<String, String> callbackUrls = new LinkedHashMap<>();
    Duration timeout = Duration.ZERO;
    if (plan.async()) {
      timeout = callbackTimeouts.resolve(requestedTimeout, outbound.settings());
      events.add(
          new NewEvent(
              id,
              now,
              EventKind.SUBMITTED,
              "Invocation of "
                  + serviceName
                  + "."
                  + operationId
                  + " submitted; callback timeout "
                  + timeout
                  + ", deadline "
                  + now.plus(timeout)));
      String prefix = context.publicBaseUrl().get() + context.callbackPath();
      String[] minted = Tokens.mint(plan.targets().size());
      int next = 0;
      for (OperationPlan.Target t : plan.targets()) {
        String token = minted[next++];
        byte[] hash = Tokens.hash(token);
        String url = prefix + "/" + token;
        String masked = Tokens.maskedUrl(prefix, hash);
        try {
          t.target().inject(sent, url);
          t.target().inject(shown, masked);
        } catch (IllegalArgumentException e) {
          throw new ExtsvcException(
              "cannot write the callback URL for "
                  + t.keys()
                  + " of "
                  + serviceName
                  + "."
                  + operationId
                  + " into the "
                  + t.target().describe()
                  + ": "
                  + e.getMessage(),
              e);
        }
        tokens.add(new TokenRow(hash, id, t.target().id(), t.keys()));
        t.keys().forEach(k -> callbackUrls.put(k, url));
        events.add(
            new NewEvent(
                id,
                now,
                EventKind.CALLBACK_URL,
                "Callback URL for "
                    + String.join(", ", t.keys())
                    + " written to the "
                    + t.target().describe()
                    + " (token sha256:"
                    + Tokens.hashPrefix(hash)
                    + ")"));
      }
      // Evaluated on the stored copy, once every URL is written: a suffix never holds a token.
      ExpressionContext written =
          ExpressionContext.ofRequest(service.endpoint() + op.path(), op.method(), shown);
      tokens.replaceAll(t -> withSuffixes(t, plan, written, events));
    } else {
      events.add(
          new NewEvent(
              id,
              now,
              EventKind.SUBMITTED,
              "Invocation of " + serviceName + "." + operationId + " submitted (synchronous)"));
    }
    mask(shown); // the caller's own secrets go out with the callout only, never into the store
    Outbound.Draft draft = draft(service.endpoint(), op, sent);
    outbound.checkDestination(service.endpoint(), draft.uri());
    // The callout's span: its context goes out as traceparent and is stored with the invocation,
    // the parent of its callbacks' spans whenever and wherever they arrive.
    Span span =
        context
            .telemetry()
            .tracing()
            .startCallout(serviceName, operationId, op.method(), redact(draft.uri()));
    try (Scope ignored = span.makeCurrent()) {
      context.telemetry().tracing().inject(span, draft.headers());
      span.setAttribute(Tracing.INVOCATION, id.toString());
      return callout(
          service,
          plan,
          op,
          id,
          now,
          timeout,
          handler,
          shown,
          sent,
          events,
          tokens,
          callbackUrls,
          outbound,
          draft,
          span);
    } catch (RuntimeException e) {
      span.recordException(e);
      span.setStatus(StatusCode.ERROR, e.getClass().getSimpleName());
      throw e;
    } finally {
      span.end();
    }
  }

  /** The invocation stored, then the callout made and its answer recorded, inside its span. */
  private InvocationResult callout(
      ServicePlan service,
      OperationPlan plan,
      Operation op,
      UUID id,
      Instant now,
      Duration timeout,
      @Nullable CallbackHandler handler,
      RequestParts shown,
      RequestParts sent,
      List<NewEvent> events,
      List<TokenRow> tokens,
      Map<String, String> callbackUrls,
      Outbound outbound,
      Outbound.Draft draft,
      Span span) {
    String serviceName = service.name();
    String operationId = op.id();
    Outbound.Ready ready;
    try {
      ready =
          outbound.authenticate(
              draft); // an OAuth token is fetched here, before the invocation exists
    } catch (IOException e) {
      throw new CalloutException(
          "callout of " + serviceName + "." + operationId + " not made: " + describe(e), null, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CalloutException("callout interrupted", null, e);
    }
    HttpRequest request = ready.request();
    // A synchronous invocation whose process dies mid-callout is timed out by the sweeper after
    // this.
    Instant deadline = now.plus(plan.async() ? timeout : context.syncTimeout().plusMinutes(1));
    String handlerType = handler == null ? null : handler.getClass().getName();
    String handlerState = handler == null ? null : context.handlers().stateOf(handler);
    InvocationRow row =
        new InvocationRow(
            id,
            serviceName,
            operationId,
            plan.async(),
            InvocationStatus.PENDING,
            null,
            handlerType,
            handlerState,
            shown.toJson().toString(),
            null,
            null,
            null,
            now,
            deadline,
            null,
            Tracing.traceparent(span));
    // Persist before the first byte goes out: a callback that beats the answer finds its
    // invocation.
    context.store().createInvocation(row, tokens, events);

    long started = System.nanoTime();
    HttpResponse<String> response;
    try {
      response = outbound.send(request);
      if (response.statusCode() == 401 && outbound.refreshesOnUnauthorized()) {
        // the token may have been revoked or expired early: one new token, one more try, never a
        // loop
        Instant at = context.clock().instant();
        context
            .store()
            .appendEvent(
                new NewEvent(
                    id,
                    at,
                    EventKind.CALLOUT,
                    op.method()
                        + " "
                        + redact(request.uri())
                        + " answered 401; fetching a new access token and trying once more"));
        outbound.unauthorized(ready);
        ready = outbound.authenticate(draft);
        request = ready.request();
        response = outbound.send(request);
      }
    } catch (IOException | RuntimeException e) {
      String reason =
          "Callout " + op.method() + " " + redact(request.uri()) + " failed: " + describe(e);
      span.recordException(e);
      cancel(serviceName, operationId, id, reason, span);
      throw new CalloutException(reason, plan.async() ? id : null, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      cancel(serviceName, operationId, id, "Callout interrupted", span);
      throw new CalloutException("callout interrupted", plan.async() ? id : null, e);
    }
    long millis = (System.nanoTime() - started) / 1_000_000;
    int status = response.statusCode();
    span.setAttribute(Tracing.STATUS, (long) status);
    Instant answered = context.clock().instant();
    context
        .store()
        .recordSyncAnswer(
            id,
            status,
            Json.write(context.secretNames().masked(response.headers().map())),
            response.body(),
            new NewEvent(
                id,
                answered,
                EventKind.CALLOUT,
                op.method()
                    + " "
                    + redact(request.uri())
                    + " answered "
                    + status
                    + " in "
                    + millis
                    + " ms"));
    if (status < 200 || status > 299) {
      cancel(serviceName, operationId, id, "Callout answered " + status, span);
    } else if (!plan.async()
        && context
            .store()
            .finish(
                id,
                InvocationStatus.COMPLETED,
                null,
                answered,
                new NewEvent(id, answered, EventKind.COMPLETED, "Synchronous answer " + status))) {
      context.telemetry().meters().finished(serviceName, operationId, InvocationStatus.COMPLETED);
    }
    log.debug("Invocation {} of {}.{} answered {}", id, serviceName, operationId, status);
    return new InvocationResult(
        id, plan.async(), status, response.headers().map(), response.body(), sent, callbackUrls);
  }

  /** Masks the values of secret-looking headers and query parameters in the copy to store. */
  private void mask(RequestParts shown) {
    SecretNames names = context.secretNames();
    shown.headers().replaceAll((name, value) -> names.shown(name, value));
    shown
        .query()
        .replaceAll(
            (name, values) ->
                names.secret(name)
                    ? new ArrayList<>(values.stream().map(v -> SecretNames.MASK).toList())
                    : values);
  }

  private Outbound outbound(String service) {
    return outbounds.computeIfAbsent(
        service, n -> newOutbound(n, ServiceSettings.builder(n).build()));
  }

  private Outbound newOutbound(String name, ServiceSettings s) {
    for (String credential : s.credentials()) {
      if (context.credentials().containsKey(credential)) {
        Secrets.check(
            context
                .credentials()
                .get(credential)); // an unset variable or missing file fails at start
      }
    }
    return new Outbound(
        name,
        s,
        context.credentials(),
        context.http(),
        addressPolicy,
        context.syncTimeout(),
        context.clock());
  }

  /** Cancels the invocation whose callout failed; its callout span says so. */
  private void cancel(String service, String operation, UUID id, String reason, Span span) {
    span.setStatus(StatusCode.ERROR, reason);
    span.addEvent("invocation cancelled");
    Instant at = context.clock().instant();
    if (context
        .store()
        .finish(
            id,
            InvocationStatus.CANCELLED,
            reason,
            at,
            new NewEvent(id, at, EventKind.CANCELLED, reason))) {
      context.telemetry().meters().finished(service, operation, InvocationStatus.CANCELLED);
    }
  }

  /**
   * The token with the suffix of each of its callbacks whose URL continues with expressions,
   * evaluated from the request ("/shipments/{$request.body#/reference}" → "/shipments/R-17"), so
   * the callback is matched where the service was told to send it. An expression absent from the
   * request becomes "", as it would in the URL the service builds; an event says so.
   */
  private static TokenRow withSuffixes(
      TokenRow token, OperationPlan plan, ExpressionContext request, List<NewEvent> events) {
    Map<String, String> suffixes = new LinkedHashMap<>();
    UUID id = token.invocationId();
    for (CallbackDefinition def : plan.definitions(token.target(), token.keys())) {
      if (!def.suffixVaries() || suffixes.containsKey(def.expression())) {
        continue;
      }
      String suffix = def.suffix(request);
      suffixes.put(def.expression(), suffix);
      List<String> absent = new ArrayList<>();
      for (ExpressionTemplate.Part part : def.suffixParts()) {
        if (part instanceof ExpressionTemplate.Expression e
            && e.expression().evaluate(request) == null) {
          absent.add("{" + e.expression() + "}");
        }
      }
      NewEvent first = events.get(0);
      events.add(
          new NewEvent(
              id,
              first.at(),
              EventKind.CALLBACK_URL,
              "Callback "
                  + def.key()
                  + " expected at the URL followed by '"
                  + suffix
                  + "' ("
                  + def.suffix()
                  + (absent.isEmpty()
                      ? ""
                      : "; " + String.join(", ", absent) + " absent from the request, left empty")
                  + ")"));
    }
    return new TokenRow(token.tokenHash(), id, token.target(), token.keys(), suffixes);
  }

  private Outbound.Draft draft(String endpoint, Operation op, RequestParts parts) {
    StringBuilder url = new StringBuilder(endpoint);
    Matcher m = PATH_PARAM.matcher(op.path());
    int last = 0;
    while (m.find()) {
      url.append(op.path(), last, m.start());
      String value = parts.path().get(m.group(1));
      if (value == null) {
        throw new ExtsvcException(
            "missing path parameter '" + m.group(1) + "' for operation " + op.id());
      }
      url.append(URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20"));
      last = m.end();
    }
    url.append(op.path().substring(last));
    for (Parameter p : op.parameters()) {
      if (p.required()
          && p.in() == ParameterLocation.QUERY
          && !parts.query().containsKey(p.name())) {
        throw new ExtsvcException(
            "missing required query parameter '" + p.name() + "' for operation " + op.id());
      }
    }
    String sep = "?";
    for (Map.Entry<String, List<String>> q : parts.query().entrySet()) {
      for (String v : q.getValue()) {
        url.append(sep).append(encode(q.getKey())).append('=').append(encode(v));
        sep = "&";
      }
    }
    URI uri;
    try {
      uri = URI.create(url.toString());
    } catch (IllegalArgumentException e) {
      throw new ExtsvcException(
          "cannot build the URL for operation " + op.id() + ": " + e.getMessage(), e);
    }
    String contentType =
        op.requestBody() == null ? "application/json" : op.requestBody().mediaType();
    Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    headers.put("Accept", "application/json");
    HttpRequest.Builder probe = HttpRequest.newBuilder();
    parts
        .headers()
        .forEach(
            (name, value) -> {
              try {
                probe.header(name, value); // the client's own check of names and values
              } catch (IllegalArgumentException e) {
                throw new ExtsvcException(
                    "header '" + name + "' cannot be sent: " + e.getMessage(), e);
              }
              headers.put(name, value);
            });
    HttpRequest.BodyPublisher body =
        parts.body() == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(parts.body().toString());
    if (parts.body() != null && !headers.containsKey("Content-Type")) {
      headers.put("Content-Type", contentType);
    }
    return new Outbound.Draft(url.toString(), uri, op.method(), headers, body);
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
