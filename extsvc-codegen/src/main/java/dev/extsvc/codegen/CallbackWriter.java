package dev.extsvc.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.NameAllocator;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import dev.extsvc.spec.CallbackDefinition;
import dev.extsvc.spec.CallbackRole;
import dev.extsvc.spec.Operation;
import dev.extsvc.spec.Parameter;
import dev.extsvc.spec.ParameterLocation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.lang.model.element.Modifier;
import org.jspecify.annotations.Nullable;

/**
 * An asynchronous operation's {@code Callback} base class and, per callback key, the record a
 * handler receives ({@code ApplicationOutcomeApprovedCallback}) with its typed {@code
 * ...CallbackResponse}.
 */
final class CallbackWriter {
  /** The fixed members of a callback record; declared headers get other names. */
  private static final List<String> FIXED =
      List.of(
          "invocationId",
          "request",
          "submitTime",
          "callbackTimeout",
          "callbackStatus",
          "receivedAt",
          "response");

  private record Header(String field, String name, TypeName type, @Nullable String description) {}

  private record Key(
      String key,
      String method,
      ClassName record,
      ClassName response,
      TypeName body,
      List<Header> headers,
      @Nullable String description,
      CallbackRole role) {}

  private final Operation operation;
  private final Helpers helpers;
  private final ClassName request;
  private final List<Key> keys = new ArrayList<>();
  private final List<String> notAwaitable = new ArrayList<>();

  CallbackWriter(
      Operation operation,
      SchemaTypes schemas,
      Helpers helpers,
      ClassName request,
      NameAllocator nested) {
    this.operation = operation;
    this.helpers = helpers;
    this.request = request;
    ClassName holder = request.enclosingClassName();
    NameAllocator methods =
        Names.allocator(
            Set.of(
                "onCallback",
                "onTimeout",
                "hashCode",
                "toString",
                "equals",
                "getClass",
                "notify",
                "notifyAll",
                "wait",
                "clone",
                "finalize"));
    Map<String, List<CallbackDefinition>> byKey = new LinkedHashMap<>();
    operation
        .callbacks()
        .forEach(c -> byKey.computeIfAbsent(c.key(), k -> new ArrayList<>()).add(c));
    for (Map.Entry<String, List<CallbackDefinition>> e : byKey.entrySet()) {
      List<CallbackDefinition> definitions =
          e.getValue().stream().filter(CallbackDefinition::awaitable).toList();
      if (definitions.isEmpty()) {
        notAwaitable.add(e.getKey() + ": " + e.getValue().get(0).notAwaitableReason());
        continue;
      }
      String upper = Names.upperCamel(e.getKey());
      CallbackDefinition withBody =
          definitions.stream()
              .filter(d -> d.requestBody() != null)
              .findFirst()
              .orElse(definitions.get(0));
      TypeName body =
          withBody.requestBody() == null
              ? Types.JSON_NODE
              : schemas.typeOf(
                  withBody.requestBody().schema(),
                  new SchemaTypes.Place(null, Names.upperCamel(operation.id()) + upper + "Body"));
      NameAllocator fields = Names.allocator(Names.RESERVED_MEMBER_NAMES);
      FIXED.forEach(f -> fields.newName(f, f));
      Map<String, Header> headers = new LinkedHashMap<>();
      for (CallbackDefinition d : definitions) {
        for (Parameter p : d.parameters()) {
          if (p.in() == ParameterLocation.HEADER
              && !headers.containsKey(p.name().toLowerCase(java.util.Locale.ROOT))) {
            TypeName t =
                p.schema() == null
                    ? Types.STRING
                    : SchemaTypes.scalar(
                        Schemas.type(p.schema()), Schemas.text(p.schema(), "format"));
            if (!(t instanceof ClassName) || t.equals(Types.JSON_NODE)) {
              t = Types.STRING;
            }
            headers.put(
                p.name().toLowerCase(java.util.Locale.ROOT),
                new Header(
                    fields.newName(Names.lowerCamel(p.name())), p.name(), t, p.description()));
          }
        }
      }
      String description =
          definitions.stream()
              .map(CallbackDefinition::description)
              .filter(d -> d != null && !d.isBlank())
              .findFirst()
              .orElse(null);
      keys.add(
          new Key(
              e.getKey(),
              methods.newName(Names.lowerCamel(e.getKey())),
              holder.nestedClass(nested.newName(upper + "Callback")),
              holder.nestedClass(nested.newName(upper + "CallbackResponse")),
              body,
              List.copyOf(headers.values()),
              description,
              definitions.get(0).role()));
    }
  }

  List<TypeSpec> types(ClassName callback) {
    List<TypeSpec> types = new ArrayList<>();
    types.add(base(callback));
    for (Key k : keys) {
      types.add(record(k));
      types.add(responseRecord(k));
    }
    return types;
  }

  private TypeSpec base(ClassName callback) {
    TypeSpec.Builder b =
        TypeSpec.classBuilder(callback)
            .addModifiers(Modifier.PUBLIC, Modifier.ABSTRACT, Modifier.STATIC)
            .addSuperinterface(Types.CALLBACK_HANDLER)
            .addJavadoc(
                "Receives the callbacks of $L: override the method of each key you handle; the others answer 404"
                    + " \"Callback not handled: KEY\".\n\n",
                operation.id())
            .addJavadoc(
                "<p>The runtime stores a handler with its invocation and re-creates it when a callback comes,"
                    + " possibly days later\nin another process. So a subclass needs a no-arg constructor (it may be private),"
                    + " its non-transient fields are\nits state, stored as JSON (keep ids and names there, mark the rest"
                    + " {@code transient}), and its type must be allowed\n(ExternalServices.Builder.handlerType or"
                    + " allowHandlerPackage). This base class has no state of its own.\n");
    List<String> progress = keys.stream().filter(k -> !k.role().finalKey()).map(Key::key).toList();
    if (!progress.isEmpty()) {
      b.addJavadoc(
          "\n<p>Final keys (a handled callback completes the invocation): $L. Not final: $L; their"
              + " callbacks run\nthe handler and leave the invocation pending, and those that waited"
              + " while a run went on come\ntogether, oldest first.\n",
          Docs.inline(
              String.join(
                  ", ", keys.stream().filter(k -> k.role().finalKey()).map(Key::key).toList())),
          Docs.inline(
              String.join(
                  ", ",
                  keys.stream()
                      .filter(k -> !k.role().finalKey())
                      .map(k -> k.key() + " (" + k.role().describe() + ")")
                      .toList())));
    }
    if (!notAwaitable.isEmpty()) {
      b.addJavadoc(
          "\n<p>Keys the runtime cannot await, and so no methods here: $L.\n",
          Docs.inline(String.join("; ", notAwaitable)));
    }
    b.addMethod(
        MethodSpec.constructorBuilder()
            .addModifiers(Modifier.PROTECTED)
            .addJavadoc("For subclasses.\n")
            .build());
    CodeBlock.Builder dispatch = CodeBlock.builder().beginControlFlow("switch (key)");
    for (Key k : keys) {
      b.addMethod(
          MethodSpec.methodBuilder(k.method())
              .addModifiers(Modifier.PUBLIC)
              .addJavadoc(
                  "$L", k.description() == null ? "" : Docs.sentence(k.description()) + "\n<p>")
              .addJavadoc(
                  "Handles the $L callbacks. By default not handled: answers 404 \"Callback not handled: $L\".\n\n",
                  k.key(),
                  k.key())
              .addJavadoc(
                  "$L",
                  k.role().finalKey()
                      ? ""
                      : "<p>Not final ("
                          + k.role().describe()
                          + "): handling these leaves the invocation pending.\n\n")
              .addJavadoc("@param callbacks the callbacks received, oldest first\n")
              .addJavadoc(
                  "@throws Exception to answer 500 and leave the invocation pending, so that the sender may"
                      + " retry\n")
              .addParameter(ParameterizedTypeName.get(Types.LIST, k.record()), "callbacks")
              .addException(Exception.class)
              .addStatement("throw new $T($S)", Types.CALLBACK_NOT_HANDLED, k.key())
              .build());
      dispatch.addStatement(
          "case $S -> $N(callbacks.stream().map($T::of).toList())",
          k.key(),
          k.method(),
          k.record());
    }
    dispatch
        .addStatement("default -> throw new $T(key)", Types.CALLBACK_NOT_HANDLED)
        .endControlFlow();
    b.addMethod(
        MethodSpec.methodBuilder("onTimeout")
            .addAnnotation(Override.class)
            .addModifiers(Modifier.PUBLIC)
            .addJavadoc(
                "Called once when no callback was handled before the callback timeout. Does nothing by"
                    + " default.\n\n@param invocation the invocation that timed out\n")
            .addParameter(Types.TIMED_OUT_INVOCATION, "invocation")
            .addException(Exception.class)
            .build());
    b.addMethod(
        MethodSpec.methodBuilder("onCallback")
            .addAnnotation(Override.class)
            .addModifiers(Modifier.PUBLIC, Modifier.FINAL)
            .addJavadoc(
                "Dispatches to the method of the key, with the callbacks read into their records.\n")
            .addParameter(String.class, "key")
            .addParameter(
                ParameterizedTypeName.get(Types.LIST, Types.RECEIVED_CALLBACK), "callbacks")
            .addException(Exception.class)
            .addCode(dispatch.build())
            .build());
    return b.build();
  }

  private TypeSpec record(Key k) {
    MethodSpec.Builder components =
        MethodSpec.constructorBuilder()
            .addParameter(Types.UUID, "invocationId")
            .addParameter(request, "request")
            .addParameter(Types.INSTANT, "submitTime")
            .addParameter(Types.INSTANT, "callbackTimeout")
            .addParameter(Types.INVOCATION_STATUS, "callbackStatus")
            .addParameter(Types.INSTANT, "receivedAt")
            .addParameter(k.response(), "response");
    CodeBlock.Builder doc =
        CodeBlock.builder()
            .add("One $L callback of $L.\n\n", k.key(), operation.id())
            .add("@param invocationId the invocation it belongs to\n")
            .add("@param request the request as it was sent (callback URLs masked)\n")
            .add("@param submitTime when the invocation was submitted\n")
            .add("@param callbackTimeout the invocation's deadline\n")
            .add(
                "@param callbackStatus the invocation's status when the callback came (PENDING while handled)\n")
            .add("@param receivedAt when the callback came\n")
            .add("@param response the callback's payload\n");
    List<CodeBlock> args =
        new ArrayList<>(
            List.of(
                CodeBlock.of("c.invocationId()"),
                CodeBlock.of("$T.fromParts(c.request())", request),
                CodeBlock.of("c.submitTime()"),
                CodeBlock.of("c.callbackTimeout()"),
                CodeBlock.of("c.callbackStatus()"),
                CodeBlock.of("c.receivedAt()"),
                CodeBlock.of(
                    "new $T($L, c.headers())",
                    k.response(),
                    helpers.call(
                        "read", CodeBlock.of("c.body(), $L", Helpers.typeReference(k.body()))))));
    for (Header h : k.headers()) {
      components.addParameter(Types.nullable(h.type()), h.field());
      doc.add(
          "@param $L the $L header$L\n",
          h.field(),
          h.name(),
          h.description() == null ? "" : ": " + Docs.inline(h.description()));
      CodeBlock raw = CodeBlock.of("c.header($S)", h.name());
      args.add(
          h.type().equals(Types.STRING)
              ? raw
              : helpers.call("fromText", CodeBlock.of("$L, $T.class", raw, h.type())));
    }
    return TypeSpec.recordBuilder(k.record())
        .addModifiers(Modifier.PUBLIC)
        .addJavadoc(doc.build())
        .recordConstructor(components.build())
        .addMethod(
            MethodSpec.methodBuilder("of")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .returns(k.record())
                .addParameter(Types.RECEIVED_CALLBACK, "c")
                .addStatement("return new $T($L)", k.record(), CodeBlock.join(args, ",\n    "))
                .build())
        .build();
  }

  private TypeSpec responseRecord(Key k) {
    return TypeSpec.recordBuilder(k.response())
        .addModifiers(Modifier.PUBLIC)
        .addJavadoc(
            "The payload of one $L callback.\n\n@param body the body, read as declared; null when it had"
                + " none\n@param headers all headers it carried (lower-case names)\n",
            k.key())
        .recordConstructor(
            MethodSpec.constructorBuilder()
                .addParameter(Types.nullable(k.body()), "body")
                .addParameter(
                    ParameterizedTypeName.get(Types.MAP, Types.STRING, Types.STRING), "headers")
                .build())
        .build();
  }
}
