package dev.extsvc.mock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.extsvc.spec.CallbackDefinition;
import dev.extsvc.spec.ExpressionContext;
import dev.extsvc.spec.Parameter;
import dev.extsvc.spec.ParameterLocation;
import dev.extsvc.spec.RequestParts;
import java.time.Duration;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses and schedules the callback for each asynchronous request: one scheduler thread keeps
 * time, and each delivery runs on its own virtual thread, since it mostly waits on the network.
 */
final class CallbackDispatcher implements AutoCloseable {
  /**
   * Beyond this many scheduled callbacks new ones are refused, so a load test cannot exhaust
   * memory.
   */
  static final int MAX_PENDING = 10_000;

  private static final Logger log = LoggerFactory.getLogger(CallbackDispatcher.class);

  private final Duration delay;
  private final KeyRule rule;
  private final @Nullable CallbackPayloads payloads;
  private final ExampleGenerator generator;
  private final CallbackSender sender;
  private final Consumer<Delivery> record;
  private final InstantSource clock;
  private final ScheduledThreadPoolExecutor scheduler;
  private final ExecutorService workers;
  private final AtomicInteger pending = new AtomicInteger();
  private final @Nullable Scenario scenario;
  private final Random random;
  private final @Nullable CorrelatedCallbacks correlated;

  CallbackDispatcher(
      Duration delay,
      KeyRule rule,
      @Nullable CallbackPayloads payloads,
      ExampleGenerator generator,
      CallbackSender sender,
      Consumer<Delivery> record,
      InstantSource clock) {
    this(delay, rule, payloads, generator, sender, record, clock, null, null);
  }

  /**
   * @param scenario several callbacks per request, when given, for the operations that have its
   *     keys
   * @param correlated where and how the callbacks of keys awaited by correlation go, null to send
   *     them like any other (to the URL their expression names)
   */
  CallbackDispatcher(
      Duration delay,
      KeyRule rule,
      @Nullable CallbackPayloads payloads,
      ExampleGenerator generator,
      CallbackSender sender,
      Consumer<Delivery> record,
      InstantSource clock,
      @Nullable Scenario scenario,
      @Nullable CorrelatedCallbacks correlated) {
    this.scenario = scenario;
    this.random = new Random(scenario == null ? 0 : scenario.seed());
    this.correlated = correlated;
    this.delay = delay;
    this.rule = rule;
    this.payloads = payloads;
    this.generator = generator;
    this.sender = sender;
    this.record = record;
    this.clock = clock;
    this.scheduler =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "mock-callback-scheduler");
              t.setDaemon(true);
              return t;
            });
    scheduler.setRemoveOnCancelPolicy(true);
    this.workers =
        Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("mock-callback-", 0).factory());
  }

  /**
   * Schedules the callback a request calls for.
   *
   * @param request the request's parts; not changed afterwards
   * @param requestUrl the URL the request was sent to, for {@code $url}
   * @param answer the body of the synchronous answer, whose values the callback repeats
   */
  void dispatch(
      MockOperation op,
      RecordedRequest recorded,
      RequestParts request,
      String requestUrl,
      @Nullable JsonNode answer) {
    String opId = op.operation().id();
    List<String> keys = op.operation().callbackKeys();
    String key = recorded.header(MockService.KEY_HEADER);
    if (key == null && scenario != null && scenario.appliesTo(keys)) {
      List<Scenario.Planned> plan;
      synchronized (random) {
        plan = scenario.plan(keys, random);
      }
      dispatchPlan(op, plan, request, requestUrl, answer);
      return;
    }
    if (key == null) {
      try {
        key = rule.choose(op.operation(), recorded);
      } catch (RuntimeException e) {
        record.accept(failed(opId, "?", "", "the key rule failed: " + e));
        return;
      }
    } else if (key.equals(MockService.NO_CALLBACK) && !keys.contains(key)) {
      return;
    }
    String chosen = key;
    List<CallbackDefinition> definitions =
        op.operation().callbacks().stream().filter(d -> d.key().equals(chosen)).toList();
    if (definitions.isEmpty()) {
      record.accept(
          failed(
              opId,
              chosen,
              "",
              "operation "
                  + opId
                  + " has no callback key '"
                  + chosen
                  + "' (its keys: "
                  + String.join(", ", keys)
                  + ")"));
      return;
    }
    if (pending.incrementAndGet() > MAX_PENDING) {
      pending.decrementAndGet();
      record.accept(
          failed(
              opId, chosen, definitions.get(0).method(), "more than " + MAX_PENDING + " pending"));
      return;
    }
    if (correlated != null && correlated.beforeAnswer()) {
      // sent now, on the request's thread: the synchronous answer waits for its answer
      try {
        record.accept(fire(op, chosen, definitions, request, requestUrl, answer, Map.of()));
      } finally {
        pending.decrementAndGet();
      }
      return;
    }
    Runnable fire =
        () -> {
          try {
            record.accept(fire(op, chosen, definitions, request, requestUrl, answer, Map.of()));
          } finally {
            pending.decrementAndGet();
          }
        };
    try {
      scheduler.schedule(() -> handOff(fire), delay.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException closing) {
      pending.decrementAndGet();
    }
  }

  /**
   * Sends a scenario's callbacks for one request one after another, each once its time has come and
   * the one before was answered.
   */
  private void dispatchPlan(
      MockOperation op,
      List<Scenario.Planned> plan,
      RequestParts request,
      String requestUrl,
      @Nullable JsonNode answer) {
    if (pending.incrementAndGet() > MAX_PENDING) {
      pending.decrementAndGet();
      record.accept(failed(op.operation().id(), "?", "", "more than " + MAX_PENDING + " pending"));
      return;
    }
    // Each planned callback is one event with an id of its own (its duplicates share it), as a
    // provider's status updates are: a receiver must not take the second "processing" for a repeat
    // of the first just because the bodies are alike.
    String eventIds = UUID.randomUUID().toString();
    Runnable run =
        () -> {
          long start = System.nanoTime();
          try {
            for (Scenario.Planned p : plan) {
              long wait = p.at().toNanos() - (System.nanoTime() - start);
              if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
              }
              List<CallbackDefinition> definitions =
                  op.operation().callbacks().stream().filter(d -> d.key().equals(p.key())).toList();
              record.accept(
                  fire(
                      op,
                      p.key(),
                      definitions,
                      request,
                      requestUrl,
                      answer,
                      Map.of(
                          Scenario.SEQUENCE_HEADER,
                          Integer.toString(p.sequence()),
                          Scenario.EVENT_ID_HEADER,
                          eventIds + "-" + p.sequence())));
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the mock is closing
          } finally {
            pending.decrementAndGet();
          }
        };
    try {
      scheduler.schedule(() -> handOff(run), delay.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException closing) {
      pending.decrementAndGet();
    }
  }

  /** A scenario's sequence and event id go with a callback to the shared address too. */
  private static Map<String, String> withExtra(
      Map<String, String> headers, Map<String, String> extra) {
    if (extra.isEmpty()) {
      return headers;
    }
    Map<String, String> all = new LinkedHashMap<>(headers);
    all.putAll(extra);
    return all;
  }

  private void handOff(Runnable fire) {
    try {
      workers.execute(fire);
    } catch (RejectedExecutionException closing) {
      pending.decrementAndGet();
    }
  }

  /** Sends to the first of the key's definitions whose URL the request supplies. */
  private Delivery fire(
      MockOperation op,
      String key,
      List<CallbackDefinition> definitions,
      RequestParts request,
      String requestUrl,
      @Nullable JsonNode answer,
      Map<String, String> extraHeaders) {
    String opId = op.operation().id();
    ExpressionContext context =
        ExpressionContext.ofRequest(requestUrl, op.operation().method(), request);
    String reason = "no callback URL";
    for (CallbackDefinition def : definitions) {
      if (correlated != null && CorrelatedCallbacks.correlated(def)) {
        return correlated.send(
            opId,
            def,
            requestUrl,
            op.operation().method(),
            request,
            answer,
            body(key, def, request, answer),
            withExtra(headers(key, def, request, answer), extraHeaders));
      }
      if (def.template() == null) {
        reason = "the template '" + def.expression() + "' does not parse";
        continue;
      }
      String url;
      try {
        url = def.template().expand(context);
      } catch (RuntimeException e) {
        reason = "cannot evaluate '" + def.expression() + "': " + e.getMessage();
        continue;
      }
      if (!Urls.callable(url)) {
        reason =
            url.isEmpty()
                ? "the request carries no URL at " + def.expression()
                : "'" + Urls.mask(url) + "' at " + def.expression() + " is not an http(s) URL";
        continue;
      }
      JsonNode body = body(key, def, request, answer);
      Map<String, String> headers = new LinkedHashMap<>(headers(key, def, request, answer));
      headers.putAll(extraHeaders);
      return sender.send(
          opId, key, def.method(), url, headers, body == null ? "" : body.toString());
    }
    return failed(opId, key, definitions.get(0).method(), reason);
  }

  /**
   * The hook's body, else the example, else a generated one, sharing values with the synchronous
   * answer and the request where the names match and the callback's schema accepts the value.
   */
  @Nullable JsonNode body(
      String key, CallbackDefinition def, RequestParts request, @Nullable JsonNode answer) {
    if (payloads != null) {
      JsonNode chosen = payloads.payload(key, def, request.copy());
      if (chosen != null) {
        return chosen;
      }
    }
    if (def.requestBody() == null) {
      return null;
    }
    // a spec's example that its own schema refuses would only be refused by the receiver
    JsonNode body =
        generator.exampleOrGenerate(def.requestBody().example(), def.requestBody().schema());
    // The same applicationNumber in the answer and the callback makes the flow look like one story;
    // a value is copied only where the callback's schema certainly accepts it (an answer's status
    // "received" is no value of a callback's enum [approved, declined]).
    JsonNode schema = def.requestBody().schema();
    Set<String> fixed = ExampleGenerator.discriminatorProperties(schema);
    if (body instanceof ObjectNode object) {
      for (Map.Entry<String, JsonNode> field : object.properties()) {
        JsonNode property = generator.propertySchema(schema, field.getKey());
        if (property == null || fixed.contains(field.getKey())) {
          continue;
        }
        for (JsonNode source : new JsonNode[] {answer, request.body()}) {
          JsonNode shared = source != null && source.isObject() ? source.get(field.getKey()) : null;
          if (shared != null && SchemaFit.accepts(property, shared)) {
            field.setValue(shared.deepCopy());
            break;
          }
        }
      }
    }
    return body;
  }

  /** The hook's headers, plus a value for every declared header parameter it left out. */
  Map<String, String> headers(
      String key, CallbackDefinition def, RequestParts request, @Nullable JsonNode answer) {
    Map<String, String> given = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    if (payloads != null) {
      given.putAll(payloads.headers(key, def, request.copy()));
    }
    Map<String, String> headers = new LinkedHashMap<>(given);
    for (Parameter p : def.parameters()) {
      if (p.in() != ParameterLocation.HEADER || given.containsKey(p.name())) {
        continue;
      }
      JsonNode shared = answer == null ? null : answer.get(p.name());
      JsonNode value =
          shared != null && shared.isValueNode() && headerFits(p.schema(), shared)
              ? shared
              : generator.generate(p.schema());
      headers.put(p.name(), value.isNull() || !value.isValueNode() ? "value" : value.asText());
    }
    return headers;
  }

  /** A header value fits a schema that says nothing of its values, or one that accepts it. */
  private static boolean headerFits(@Nullable JsonNode schema, JsonNode value) {
    if (schema == null || !(schema.has("type") || schema.has("enum") || schema.has("const"))) {
      return true;
    }
    return SchemaFit.accepts(schema, value)
        || (value.isValueNode() && SchemaFit.accepts(schema, TextNode.valueOf(value.asText())));
  }

  private Delivery failed(String opId, String key, String method, String reason) {
    log.warn("Callback {}/{} not sent: {}", opId, key, reason);
    return new Delivery(
        opId, key, method, "", Map.of(), "", -1, null, reason, 0, clock.instant(), null);
  }

  /** Whether callbacks go out before the synchronous answer (see {@link SharedAddress}). */
  boolean beforeAnswer() {
    return correlated != null && correlated.beforeAnswer();
  }

  @Override
  public void close() {
    // Pending deliveries are dropped: a closed mock is a bank that went away.
    scheduler.shutdownNow();
    workers.shutdownNow();
    try {
      workers.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
