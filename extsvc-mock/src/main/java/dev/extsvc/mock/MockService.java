package dev.extsvc.mock;

import com.fasterxml.jackson.databind.JsonNode;
import dev.extsvc.spec.CallbackDefinition;
import dev.extsvc.spec.Operation;
import dev.extsvc.spec.ServiceDefinition;
import io.helidon.webserver.WebServer;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A simulated external web service driven by its OpenAPI document: "the mock bank".
 *
 * <p>Each operation answers with its first 2xx response, whose body is the document's example or a
 * value made from the schema. After answering an asynchronous operation (one with callbacks) the
 * mock chooses one callback key by its {@link KeyRule} and, after {@link
 * Builder#callbackDelay(Duration)}, calls the URL the caller wrote where that key's runtime
 * expression points (a body field, a query parameter, a header).
 *
 * <p>With a {@link SharedAddress}, the callbacks of keys awaited by correlation go to the
 * receiver's shared address instead, signed and carrying the invocation's correlation value.
 *
 * <p>A request header {@value #KEY_HEADER} names the key to use for that one request and overrides
 * the rule; its value {@value #NO_CALLBACK} sends no callback at all (to test timeouts).
 *
 * <p>Callback URLs carry secret tokens, so {@link Delivery#url()} and the log show them masked: the
 * last path segment and any token-like segment keep 4 characters ("…/callbacks/abcd…"), and a query
 * is hidden.
 */
public final class MockService implements AutoCloseable {
  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final Duration DEFAULT_CALLBACK_DELAY = Duration.ofSeconds(1);
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);
  public static final Duration DEFAULT_RETRY_BACKOFF = Duration.ofMillis(200);

  /**
   * Resends after a 5xx answer or a connection error, as a real service does: a receiver that is
   * restarting or briefly overloaded still gets its callback.
   */
  public static final int DEFAULT_RETRIES = 3;

  /** The request header that chooses the callback key for one request. */
  public static final String KEY_HEADER = "X-Mock-Callback";

  /** The {@link #KEY_HEADER} value that asks for no callback. */
  public static final String NO_CALLBACK = "none";

  /**
   * Only the most recent requests and deliveries are kept, so a long demo or load run stays
   * bounded.
   */
  public static final int MAX_RECORDED = 10_000;

  private static final Logger log = LoggerFactory.getLogger(MockService.class);

  private final ServiceDefinition service;
  private final String host;
  private final int port;
  private final Duration callbackDelay;
  private final KeyRule keyRule;
  private final @Nullable CallbackPayloads payloads;
  private final @Nullable SyncAnswers answers;
  private final @Nullable Consumer<Delivery> outcomeListener;
  private final int retries;
  private final Duration retryBackoff;
  private final Duration requestTimeout;
  private final InstantSource clock;
  private final @Nullable Scenario scenario;
  private final @Nullable SharedAddress sharedAddress;
  private final ExampleGenerator generator;
  private final Routes routes;
  private final Map<String, MockOperation> operations;
  private final Deque<RecordedRequest> requests = new ArrayDeque<>();
  private final Deque<Delivery> deliveries = new ArrayDeque<>();
  private final ProviderFaults faults;
  private final Deque<CallbackAttempt> attempts = new ArrayDeque<>();

  private @Nullable WebServer server;
  private @Nullable CallbackSender sender;
  private @Nullable CallbackDispatcher dispatcher;
  private boolean closed;

  private MockService(Builder b) {
    this.service = b.service;
    this.host = b.host;
    this.port = b.port;
    this.callbackDelay = b.callbackDelay;
    this.keyRule = b.keyRule;
    this.payloads = b.payloads;
    this.answers = b.answers;
    this.outcomeListener = b.outcomeListener;
    this.retries = b.retries;
    this.retryBackoff = b.retryBackoff;
    this.requestTimeout = b.requestTimeout;
    this.clock = b.clock;
    this.scenario = b.scenario;
    this.sharedAddress = b.sharedAddress;
    this.faults = b.faults;
    this.generator = ExampleGenerator.forDocument(service.document());
    this.routes = new Routes(service);
    Map<String, MockOperation> ops = new LinkedHashMap<>();
    for (Operation op : service.operations()) {
      ops.put(op.id(), MockOperation.of(op, generator));
    }
    this.operations = Map.copyOf(ops);
  }

  public static Builder builder(ServiceDefinition service) {
    return new Builder(service);
  }

  /** Starts listening; returns this. A mock starts once. */
  public synchronized MockService start() {
    if (server != null || closed) {
      throw new IllegalStateException(
          closed ? "the mock is closed" : "the mock is already started");
    }
    sender =
        new CallbackSender(
            DEFAULT_CONNECT_TIMEOUT,
            requestTimeout,
            retries,
            retryBackoff,
            clock,
            faults.retrySchedule(),
            this::record);
    dispatcher =
        new CallbackDispatcher(
            callbackDelay,
            keyRule,
            payloads,
            generator,
            sender,
            this::record,
            clock,
            scenario,
            sharedAddress == null ? null : new CorrelatedCallbacks(sharedAddress, sender, clock));
    MockRoute route =
        new MockRoute(routes, operations, answers, dispatcher, this::record, clock, faults);
    server = WebServer.builder().host(host).port(port).routing(r -> r.any(route)).build().start();
    if (!server
        .isRunning()) { // Helidon logs a bind failure and returns a server without a listener
      server = null;
      close();
      throw new IllegalStateException(
          "the mock cannot listen on " + host + ":" + port + " (is the port in use?)");
    }
    log.info("Mock of {} listening on {}", service.name(), baseUrl());
    return this;
  }

  /** The bound port (the real one when built with port 0). */
  public synchronized int port() {
    return started().port();
  }

  /** "http://host:port" plus the first server URL's path, e.g. "http://127.0.0.1:41234/v1". */
  public String baseUrl() {
    return "http://" + host + ":" + port() + routes.prefix();
  }

  /** The callbacks sent so far (and those that could not be sent), oldest first. */
  public List<Delivery> deliveries() {
    synchronized (deliveries) {
      return List.copyOf(deliveries);
    }
  }

  /**
   * Every HTTP attempt at a callback so far, oldest first: with retries, several per {@link
   * Delivery}, each with the status it was answered.
   */
  public List<CallbackAttempt> attempts() {
    synchronized (attempts) {
      return List.copyOf(attempts);
    }
  }

  /** The requests received so far, oldest first, including those answered 404 or 405. */
  public List<RecordedRequest> requests() {
    synchronized (requests) {
      return List.copyOf(requests);
    }
  }

  /**
   * Sends one callback now and waits for the answer, e.g. to test a receiver without an operation
   * first. Retries as configured; the delivery is recorded and reported like any other.
   *
   * @param headers headers besides Content-Type (application/json)
   */
  public Delivery send(
      CallbackDefinition definition,
      String url,
      @Nullable JsonNode body,
      Map<String, String> headers) {
    CallbackSender s;
    synchronized (this) {
      if (sender == null || closed) {
        throw new IllegalStateException("the mock is not running");
      }
      s = sender;
    }
    String opId =
        service.operations().stream()
            .filter(op -> op.callbacks().contains(definition))
            .map(Operation::id)
            .findFirst()
            .orElse("");
    Delivery d =
        s.send(
            opId,
            definition.key(),
            definition.method(),
            url,
            headers,
            body == null ? "" : body.toString());
    record(d);
    return d;
  }

  /** Stops the server and the scheduler; callbacks not yet sent are dropped. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (server != null) {
      server.stop();
    }
    if (dispatcher != null) {
      dispatcher.close();
    }
    if (sender != null) {
      sender.close();
    }
  }

  private WebServer started() {
    if (server == null) {
      throw new IllegalStateException("the mock is not started");
    }
    return server;
  }

  private void record(RecordedRequest r) {
    synchronized (requests) {
      add(requests, r);
    }
  }

  private void record(CallbackAttempt a) {
    synchronized (attempts) {
      add(attempts, a);
    }
  }

  private void record(Delivery d) {
    synchronized (deliveries) {
      add(deliveries, d);
    }
    if (outcomeListener != null) {
      try {
        outcomeListener.accept(d);
      } catch (RuntimeException e) {
        log.warn("The outcome listener failed on a delivery of {}/{}", d.operationId(), d.key(), e);
      }
    }
  }

  private static <T> void add(Deque<T> deque, T item) {
    if (deque.size() >= MAX_RECORDED) {
      deque.removeFirst();
    }
    deque.addLast(item);
  }

  /** Builds a {@link MockService}; {@link #build()} checks the settings. */
  public static final class Builder {
    private final ServiceDefinition service;
    private String host = DEFAULT_HOST;
    private int port;
    private Duration callbackDelay = DEFAULT_CALLBACK_DELAY;
    private KeyRule keyRule = KeyRule.roundRobin();
    private @Nullable CallbackPayloads payloads;
    private @Nullable SyncAnswers answers;
    private @Nullable Consumer<Delivery> outcomeListener;
    private int retries = DEFAULT_RETRIES;
    private Duration retryBackoff = DEFAULT_RETRY_BACKOFF;
    private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
    private InstantSource clock = InstantSource.system();
    private @Nullable Scenario scenario;
    private @Nullable SharedAddress sharedAddress;
    private ProviderFaults faults = ProviderFaults.NONE;

    private Builder(ServiceDefinition service) {
      this.service = Objects.requireNonNull(service, "service");
    }

    public Builder host(String host) {
      if (host.isBlank()) {
        throw new IllegalArgumentException("host must not be blank");
      }
      this.host = host;
      return this;
    }

    /** 0 (the default) picks a free port. */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be 0..65535, was " + port);
      }
      this.port = port;
      return this;
    }

    /** How long after answering an asynchronous operation its callback goes out; default 1 s. */
    public Builder callbackDelay(Duration delay) {
      if (delay.isNegative()) {
        throw new IllegalArgumentException("callbackDelay must not be negative");
      }
      this.callbackDelay = delay;
      return this;
    }

    /**
     * Several callbacks per request (progress updates, then the final one; duplicates, shuffled
     * order, random delays) for every operation that has a key the scenario names; the key rule
     * still chooses for the others, and a request's {@value #KEY_HEADER} header overrides both.
     */
    public Builder scenario(Scenario scenario) {
      this.scenario = Objects.requireNonNull(scenario, "scenario");
      return this;
    }

    /**
     * Callouts answered 500 or late, and callbacks retried on a schedule (which then replaces
     * {@link #retries} and {@link #retryBackoff}); default none.
     */
    public Builder faults(ProviderFaults faults) {
      this.faults = Objects.requireNonNull(faults, "faults");
      return this;
    }

    /** Which callback each request gets; default {@link KeyRule#roundRobin()}. */
    public Builder keyRule(KeyRule rule) {
      this.keyRule = Objects.requireNonNull(rule, "rule");
      return this;
    }

    public Builder payloads(CallbackPayloads payloads) {
      this.payloads = Objects.requireNonNull(payloads, "payloads");
      return this;
    }

    /** Chooses synchronous answer bodies per request, e.g. a fresh application number each time. */
    public Builder answers(SyncAnswers answers) {
      this.answers = Objects.requireNonNull(answers, "answers");
      return this;
    }

    /** Told of every delivery, on the thread that made it; it should return quickly. */
    public Builder outcomeListener(Consumer<Delivery> listener) {
      this.outcomeListener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * How many times to resend after a 5xx answer or a connection error; default {@value
     * #DEFAULT_RETRIES}. Each failed attempt is logged (WARN) with the wait before the next.
     */
    public Builder retries(int retries) {
      if (retries < 0) {
        throw new IllegalArgumentException("retries must not be negative");
      }
      this.retries = retries;
      return this;
    }

    /** The wait before the first retry; the n-th retry waits n times as long. Default 200 ms. */
    public Builder retryBackoff(Duration backoff) {
      if (backoff.isNegative()) {
        throw new IllegalArgumentException("retryBackoff must not be negative");
      }
      this.retryBackoff = backoff;
      return this;
    }

    /** How long one callback attempt may take; default 30 s. */
    public Builder requestTimeout(Duration timeout) {
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("requestTimeout must be positive");
      }
      this.requestTimeout = timeout;
      return this;
    }

    /**
     * The clock for the timestamps of requests and deliveries (not for the delay, which is real
     * time).
     */
    public Builder clock(InstantSource clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Sends the callbacks of keys awaited by correlation to the receiver's shared address, signed,
     * carrying the invocation's value (and, if asked, before the synchronous answer); without it
     * they go where their expression points, like any other.
     */
    public Builder sharedAddress(SharedAddress address) {
      this.sharedAddress = Objects.requireNonNull(address, "address");
      return this;
    }

    public MockService build() {
      if (scenario != null) {
        Scenario sc = scenario;
        for (Scenario.Step step : sc.steps()) {
          if (service.operations().stream()
              .noneMatch(op -> op.callbackKeys().contains(step.key()))) {
            throw new IllegalArgumentException(
                "scenario step '"
                    + step.key()
                    + "': no operation of "
                    + service.name()
                    + " has that callback key");
          }
        }
      }
      if (keyRule instanceof KeyRules.Fixed(String key)
          && service.operations().stream().noneMatch(op -> op.callbackKeys().contains(key))) {
        throw new IllegalArgumentException(
            "no operation of " + service.name() + " has callback key '" + key + "'");
      }
      return new MockService(this);
    }
  }
}
