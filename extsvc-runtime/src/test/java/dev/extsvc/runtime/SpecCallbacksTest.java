package dev.extsvc.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.extsvc.runtime.store.CallbackRow;
import dev.extsvc.runtime.store.InvocationStatus;
import dev.extsvc.runtime.store.Store;
import dev.extsvc.runtime.testing.InMemoryStore;
import dev.extsvc.spec.CallbackDefinition;
import dev.extsvc.spec.Diagnostic;
import dev.extsvc.spec.Registration;
import dev.extsvc.spec.RequestParts;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Callbacks of small documents written for each rule, from registration to the sender's answer:
 * bodies judged as the spec means them, answer codes from the spec, a schema the validator cannot
 * handle found at registration, and failures inside extsvc shown in the debug log.
 */
class SpecCallbacksTest {
  static final String SERVICE = "Quotes";

  /**
   * An operation {@code start} whose callbacks {@code done} ({@code Body}) and {@code note} ({@code
   * Note}) post to URLs in the query; {@code doneResponses} are the responses {@code done}
   * declares.
   */
  static String document(String openapi, String doneResponses, String components) {
    return """
        {"openapi":"%s","info":{"title":"Quotes","version":"1"},
         "paths":{"/start":{"post":{"operationId":"start",
           "parameters":[{"name":"cb","in":"query","required":true,"schema":{"type":"string"}},
                         {"name":"nb","in":"query","required":true,"schema":{"type":"string"}}],
           "responses":{"202":{"description":"accepted"}},
           "callbacks":{
             "done":{"{$request.query.cb}":{"post":{
               "requestBody":{"required":true,"content":{"application/json":{
                 "schema":{"$ref":"#/components/schemas/Body"}}}},
               "responses":%s}}},
             "note":{"{$request.query.nb}":{"post":{
               "requestBody":{"required":true,"content":{"application/json":{
                 "schema":{"$ref":"#/components/schemas/Note"}}}},
               "responses":{"200":{"description":"ok"}}}}}}}}},
         "components":{"schemas":%s}}"""
        .formatted(openapi, doneResponses, components);
  }

  static final String OK = "{\"200\":{\"description\":\"ok\"}}";
  static final String NOTE = "\"Note\":{\"type\":\"object\"}";

  static final String PAYMENT =
      """
      {"Body":{"oneOf":[{"$ref":"#/components/schemas/Card"},{"$ref":"#/components/schemas/Bank"}],
               "discriminator":{"propertyName":"type"}},
       "Card":{"type":"object","required":["type","number"],
               "properties":{"type":{"const":"card"},"number":{"type":"string"}}},
       "Bank":{"type":"object","required":["type","iban"],
               "properties":{"type":{"const":"bank"},"iban":{"type":"string"}}},
       %s}"""
          .formatted(NOTE);

  RuntimeFixture f;

  @BeforeEach
  void reset() {
    TestHandler.reset();
  }

  @AfterEach
  void stop() {
    if (f != null) {
      f.close();
    }
  }

  InvocationResult start() {
    return f.services.invoke(
        SERVICE, "start", new RequestParts(), new TestHandler("Alice", "done", "note"), null);
  }

  @Test
  void aDiscriminatedOneOfWithConstMembersTakesWhatTheSpecAllows() {
    f = new RuntimeFixture().register(document("3.1.0", OK, PAYMENT), null);
    InvocationResult first = start();
    String done = first.callbackUrls().get("done");

    CallbackResponse wrong = f.post(done, "{\"type\":\"Card\",\"number\":\"4111\"}");
    CallbackResponse right = f.post(done, "{\"type\":\"card\",\"number\":\"4111\"}");

    assertThat(wrong.status()).isEqualTo(400);
    assertThat(f.messages(first.invocationId()))
        .anySatisfy(m -> assertThat(m).contains("refused").contains("/type"));
    assertThat(right.status()).isEqualTo(200);
    assertThat(f.status(first.invocationId())).isEqualTo(InvocationStatus.COMPLETED);
  }

  @Test
  void aRecursiveSchemaValidatesItsCallbackInsteadOfFailing() {
    String tree =
        """
        {"Body":{"$ref":"#/components/schemas/Node"},
         "Node":{"type":"object","required":["name"],
                 "properties":{"name":{"type":"string"},
                   "children":{"type":"array","items":{"$ref":"#/components/schemas/Node"}}}},
         %s}"""
            .formatted(NOTE);
    f = new RuntimeFixture().register(document("3.0.3", OK, tree), null);
    InvocationResult first = start();
    String done = first.callbackUrls().get("done");

    CallbackResponse bad = f.post(done, "{\"name\":\"a\",\"children\":[{\"children\":[]}]}");
    CallbackResponse good = f.post(done, "{\"name\":\"a\",\"children\":[{\"name\":\"b\"}]}");

    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.body()).contains("/children/0");
    assertThat(good.status()).isEqualTo(200);
    assertThat(f.status(first.invocationId())).isEqualTo(InvocationStatus.COMPLETED);
  }

  @Test
  void aSchemaTheValidatorCannotHandleIsARegistrationFindingAndItsKeyIsNotAwaited() {
    String broken =
        """
        {"Body":{"type":"object","properties":{"code":{"type":"string","pattern":"(unclosed"}}},
         %s}"""
            .formatted(NOTE);
    f = new RuntimeFixture();

    Registration r = f.services.register(document("3.1.0", OK, broken), null);

    assertThat(r.ok()).isTrue();
    assertThat(r.report().warnings())
        .anySatisfy(
            d -> {
              assertThat(d.pointer())
                  .startsWith("/paths/~1start/post/callbacks/done/")
                  .contains("/requestBody/content/application~1json/schema");
              assertThat(d.message()).contains("done").contains("cannot be awaited");
            });
    CallbackDefinition done =
        f
            .services
            .service(SERVICE)
            .orElseThrow()
            .operation("start")
            .orElseThrow()
            .callbacks()
            .stream()
            .filter(c -> c.key().equals("done"))
            .findFirst()
            .orElseThrow();
    assertThat(done.awaitable()).isFalse();
    assertThat(done.notAwaitableReason()).contains("body schema cannot be validated");
    // The caller now gives the URL of the key the runtime does not await, as for any such key.
    InvocationResult first =
        f.services.invoke(
            SERVICE,
            "start",
            new RequestParts().query("cb", "https://caller.example/done"),
            new TestHandler("Alice", "done", "note"),
            null);
    assertThat(first.callbackUrls()).containsOnlyKeys("note");
    assertThat(f.post(first.callbackUrls().get("note"), "{}").status()).isEqualTo(200);
  }

  @Test
  void extsvcCheckSeesTheSameFindingWithoutARuntime() {
    String broken =
        """
        {"Body":{"type":"object","properties":{"code":{"type":"string","pattern":"(unclosed"}}},
         %s}"""
            .formatted(NOTE);
    Registration registered =
        dev.extsvc.spec.Registrar.defaults().register(document("3.1.0", OK, broken), null);

    Registration checked = ExternalServices.checkCallbackSchemas(registered, false);

    assertThat(checked.report().warnings())
        .extracting(Diagnostic::message)
        .anyMatch(m -> m.contains("done"));
    assertThat(checked.service().operations().get(0).callbacks())
        .filteredOn(c -> c.key().equals("done"))
        .allSatisfy(c -> assertThat(c.awaitable()).isFalse());
  }

  @Test
  void theSenderGetsTheLowest2xxTheCallbackDeclares() {
    String declared = "{\"204\":{\"description\":\"no content\"},\"202\":{\"description\":\"a\"}}";
    f = new RuntimeFixture().register(document("3.1.0", declared, PAYMENT), null);
    InvocationResult first = start();
    String body = "{\"type\":\"bank\",\"iban\":\"DE89\"}";

    CallbackResponse answer = f.post(first.callbackUrls().get("done"), body);
    CallbackResponse repeat = f.post(first.callbackUrls().get("done"), body);

    assertThat(answer.status()).isEqualTo(202);
    assertThat(repeat.status()).isEqualTo(202);
    assertThat(f.status(first.invocationId())).isEqualTo(InvocationStatus.COMPLETED);
  }

  @Test
  void a204HasNoBodyAndACallbackDeclaringNo2xxGets200() {
    String declared = "{\"204\":{\"description\":\"no content\"},\"400\":{\"description\":\"b\"}}";
    f = new RuntimeFixture().register(document("3.1.0", declared, PAYMENT), null);
    InvocationResult first = start();

    CallbackResponse done =
        f.post(first.callbackUrls().get("done"), "{\"type\":\"bank\",\"iban\":\"DE89\"}");
    InvocationResult second = start();
    CallbackResponse note = f.post(second.callbackUrls().get("note"), "{}");
    CallbackResponse refused = f.post(second.callbackUrls().get("done"), "{\"type\":\"bank\"}");

    assertThat(done.status()).isEqualTo(204);
    assertThat(done.body()).isEmpty();
    assertThat(note.status()).isEqualTo(200);
    assertThat(refused.status()).isEqualTo(400);
  }

  @Test
  void aFailureInsideExtsvcIsAnsweredWithAnEventAndTheInvocationStaysPending() {
    InMemoryStore memory = new InMemoryStore();
    AtomicBoolean broken = new AtomicBoolean();
    Store failing =
        (Store)
            Proxy.newProxyInstance(
                Store.class.getClassLoader(),
                new Class<?>[] {Store.class},
                (proxy, method, args) -> {
                  // insertCallback and the forms that claim or complete in the same write
                  if (broken.get() && method.getName().startsWith("insertCallback")) {
                    throw new IllegalStateException("callbacks table is read-only today");
                  }
                  try {
                    return method.invoke(memory, args);
                  } catch (InvocationTargetException e) {
                    throw e.getCause();
                  }
                });
    f = new RuntimeFixture(memory, b -> b.store(failing));
    f.register(document("3.1.0", OK, PAYMENT), null);
    InvocationResult first = start();
    broken.set(true);

    CallbackResponse answer =
        f.post(first.callbackUrls().get("done"), "{\"type\":\"bank\",\"iban\":\"DE89\"}");

    assertThat(answer.status()).isEqualTo(500);
    assertThat(answer.body()).doesNotContain("read-only");
    assertThat(f.status(first.invocationId())).isEqualTo(InvocationStatus.PENDING);
    assertThat(f.messages(first.invocationId()))
        .anySatisfy(
            m ->
                assertThat(m)
                    .contains("failed inside extsvc")
                    .contains("callbacks table is read-only today")
                    .endsWith("→ 500"));
    assertThat(f.services.callbacks(first.invocationId())).extracting(CallbackRow::key).isEmpty();
  }
}
