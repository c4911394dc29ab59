package dev.extsvc.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.NameAllocator;
import com.palantir.javapoet.ParameterSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import dev.extsvc.spec.Operation;
import dev.extsvc.spec.ResponseDefinition;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.lang.model.element.Modifier;
import org.jspecify.annotations.Nullable;

/**
 * One operation: a holder class ({@code AcmeMortgages.SubmitApplication}) with its {@code Request},
 * {@code Response}, {@code ResponseException} and, for an asynchronous one, its {@code Callback}
 * and callback records; plus the service class's methods that invoke it.
 */
final class OperationWriter {
  private final Operation operation;
  private final SchemaTypes schemas;
  private final Helpers helpers;
  private final ClassName holder;
  private final ClassName request;
  private final ClassName response;
  private final ClassName exception;
  private final ClassName callback;
  private final NameAllocator nested;

  /** A declared status with a JSON body: its accessor and the Java type of the body. */
  private record Typed(
      String status, String accessor, TypeName type, @Nullable String description) {}

  OperationWriter(
      ClassName service,
      ClassName holder,
      Operation operation,
      SchemaTypes schemas,
      Helpers helpers) {
    this.operation = operation;
    this.schemas = schemas;
    this.helpers = helpers;
    this.holder = holder;
    Set<String> enclosing = new java.util.HashSet<>(Names.RESERVED_TYPE_NAMES);
    enclosing.add(service.simpleName());
    enclosing.add(holder.simpleName());
    this.nested = Names.allocator(enclosing);
    this.request = holder.nestedClass(nested.newName("Request"));
    this.response = holder.nestedClass(nested.newName("Response"));
    this.exception = holder.nestedClass(nested.newName("ResponseException"));
    this.callback = holder.nestedClass(nested.newName("Callback"));
  }

  String operationName() {
    return Names.upperCamel(operation.id());
  }

  TypeSpec holder() {
    TypeSpec.Builder b =
        TypeSpec.classBuilder(holder)
            .addModifiers(Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
            .addJavadoc(
                "The types of operation $L ($L $L).\n",
                operation.id(),
                operation.method(),
                Docs.inline(operation.path()))
            .addMethod(MethodSpec.constructorBuilder().addModifiers(Modifier.PRIVATE).build());
    b.addType(new RequestWriter(request, operation, schemas, helpers).build(operation.id()));
    List<Typed> success = new ArrayList<>();
    List<Typed> failure = new ArrayList<>();
    NameAllocator responseNames =
        Names.allocator(
            Set.of(
                "responseCode",
                "invocationId",
                "body",
                "headers",
                "request",
                "defaultResponse",
                "of",
                "hashCode",
                "toString",
                "equals",
                "getClass",
                "getMessage"));
    for (ResponseDefinition r : operation.responses().values()) {
      if (r.schema() == null
          || r.mediaType() == null
          || !r.mediaType().toLowerCase(Locale.ROOT).contains("json")) {
        continue;
      }
      String status = r.status().toUpperCase(Locale.ROOT);
      // "201" → code201, "2XX" → code2xx, "default" → codeDefault
      String suffix = status.equals("DEFAULT") ? "Default" : status.toLowerCase(Locale.ROOT);
      TypeName t =
          schemas.typeOf(
              r.schema(), new SchemaTypes.Place(null, operationName() + "Response" + suffix));
      Typed typed = new Typed(status, responseNames.newName("code" + suffix), t, r.description());
      if (canSucceed(status)) {
        success.add(typed);
      }
      if (!status.startsWith("2")) {
        failure.add(typed);
      }
    }
    b.addType(responseRecord(success));
    b.addType(exceptionClass(failure));
    if (operation.async()) {
      CallbackWriter callbacks = new CallbackWriter(operation, schemas, helpers, request, nested);
      b.addTypes(callbacks.types(callback));
    }
    return b.build();
  }

  private static boolean canSucceed(String status) {
    return status.startsWith("2") || status.equals("DEFAULT");
  }

  /** The condition under which the answer's {@code code} matches {@code status}. */
  private CodeBlock matches(String status) {
    List<String> all =
        operation.responses().keySet().stream().map(s -> s.toUpperCase(Locale.ROOT)).toList();
    if (status.equals("DEFAULT")) {
      List<CodeBlock> others =
          all.stream().filter(s -> !s.equals("DEFAULT")).map(this::matches).toList();
      return others.isEmpty()
          ? CodeBlock.of("true")
          : CodeBlock.of("!($L)", CodeBlock.join(others, " || "));
    }
    if (status.endsWith("XX")) {
      CodeBlock.Builder c = CodeBlock.builder().add("code / 100 == $L", status.charAt(0));
      all.stream()
          .filter(s -> s.length() == 3 && s.charAt(0) == status.charAt(0) && !s.endsWith("XX"))
          .forEach(s -> c.add(" && code != $L", s));
      return c.build();
    }
    return CodeBlock.of("code == $L", status);
  }

  private TypeSpec responseRecord(List<Typed> typed) {
    TypeName nullableString = Types.nullable(Types.STRING);
    TypeName headers =
        ParameterizedTypeName.get(
            Types.MAP, Types.STRING, ParameterizedTypeName.get(Types.LIST, Types.STRING));
    MethodSpec.Builder components =
        MethodSpec.constructorBuilder()
            .addParameter(int.class, "responseCode")
            .addParameter(Types.UUID, "invocationId");
    CodeBlock.Builder doc =
        CodeBlock.builder()
            .add(
                "The answer of $L when it is 2xx (others raise {@link $T}).\n\n",
                operation.id(),
                exception)
            .add("@param responseCode the HTTP status\n")
            .add("@param invocationId the invocation, to follow it (and its callbacks) by\n");
    List<CodeBlock> args =
        new ArrayList<>(List.of(CodeBlock.of("code"), CodeBlock.of("result.invocationId()")));
    for (Typed t : typed) {
      components.addParameter(Types.nullable(t.type()), t.accessor());
      doc.add(
          "@param $L the body when the status is $L, else null$L\n",
          t.accessor(),
          t.status().toLowerCase(Locale.ROOT),
          t.description() == null ? "" : ": " + Docs.inline(t.description()));
      args.add(
          CodeBlock.of(
              "$L ? $L : null",
              matches(t.status()),
              helpers.call(
                  "parse", CodeBlock.of("result.body(), $L", Helpers.typeReference(t.type())))));
    }
    components
        .addParameter(nullableString, "body")
        .addParameter(headers, "headers")
        .addParameter(request, "request");
    doc.add("@param body the body as received, whatever the status\n")
        .add("@param headers the response headers\n")
        .add(
            "@param request the request as sent, with the callback URLs the runtime wrote into it\n");
    args.addAll(
        List.of(
            CodeBlock.of("result.body()"),
            CodeBlock.of("result.headers()"),
            CodeBlock.of("$T.fromParts(result.sentRequest())", request)));
    MethodSpec of =
        MethodSpec.methodBuilder("of")
            .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
            .returns(response)
            .addParameter(Types.INVOCATION_RESULT, "result")
            .addStatement("int code = result.statusCode()")
            .beginControlFlow("if (code < 200 || code > 299)")
            .addStatement("throw new $T(code, result.body(), result.invocationId())", exception)
            .endControlFlow()
            .addStatement("return new $T($L)", response, CodeBlock.join(args, ",\n    "))
            .build();
    return TypeSpec.recordBuilder(response)
        .addModifiers(Modifier.PUBLIC)
        .addJavadoc(doc.build())
        .recordConstructor(components.build())
        .addMethod(of)
        .build();
  }

  private TypeSpec exceptionClass(List<Typed> typed) {
    TypeSpec.Builder b =
        TypeSpec.classBuilder(exception)
            .addModifiers(Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
            .superclass(Types.EXTSVC_EXCEPTION)
            .addJavadoc(
                "$L answered with a status other than 2xx; {@link #defaultResponse()} has the body as received.\n",
                operation.id())
            .addField(
                FieldSpec.builder(
                        long.class,
                        "serialVersionUID",
                        Modifier.PRIVATE,
                        Modifier.STATIC,
                        Modifier.FINAL)
                    .initializer("1L")
                    .build())
            .addField(int.class, "responseCode", Modifier.PRIVATE, Modifier.FINAL)
            .addField(String.class, "defaultResponse", Modifier.PRIVATE, Modifier.FINAL)
            .addField(Types.UUID, "invocationId", Modifier.PRIVATE, Modifier.FINAL);
    b.addMethod(
        MethodSpec.constructorBuilder()
            .addModifiers(Modifier.PRIVATE)
            .addParameter(int.class, "responseCode")
            .addParameter(Types.nullable(Types.STRING), "defaultResponse")
            .addParameter(Types.UUID, "invocationId")
            .addStatement(
                "super($S + responseCode + $S + invocationId + $S + defaultResponse)",
                operation.id() + " answered ",
                " (invocation ",
                "): ")
            .addStatement("this.responseCode = responseCode")
            .addStatement("this.defaultResponse = defaultResponse == null ? \"\" : defaultResponse")
            .addStatement("this.invocationId = invocationId")
            .build());
    b.addMethod(getter("responseCode", TypeName.INT, "The HTTP status."));
    b.addMethod(
        getter("defaultResponse", Types.STRING, "The body as received, \"\" when there was none."));
    b.addMethod(getter("invocationId", Types.UUID, "The (cancelled) invocation."));
    for (Typed t : typed) {
      b.addMethod(
          MethodSpec.methodBuilder(t.accessor())
              .addModifiers(Modifier.PUBLIC)
              .addJavadoc(
                  "The body read as declared for status $L, or null when the status is another.\n",
                  t.status().toLowerCase(Locale.ROOT))
              .returns(Types.nullable(t.type()))
              .addStatement("int code = responseCode")
              .addStatement(
                  "return $L ? $L : null",
                  matches(t.status()),
                  helpers.call(
                      "parse",
                      CodeBlock.of("defaultResponse, $L", Helpers.typeReference(t.type()))))
              .build());
    }
    return b.build();
  }

  private static MethodSpec getter(String name, TypeName type, String doc) {
    return MethodSpec.methodBuilder(name)
        .addModifiers(Modifier.PUBLIC)
        .returns(type)
        .addJavadoc("$L\n", doc)
        .addStatement("return $N", name)
        .build();
  }

  /** The service class's methods for this operation. */
  List<MethodSpec> serviceMethods(String methodName) {
    CodeBlock.Builder doc = CodeBlock.builder();
    doc.add("$L", Docs.sentence(operation.summary()));
    doc.add("$L", Docs.sentence(operation.description()));
    if (operation.async()) {
      doc.add(
          "\n<p>Asynchronous: the service calls back later ($L); the callbacks go to {@code handler}.\n",
          String.join(", ", operation.callbackKeys()));
    }
    doc.add("\n@param request the request\n");
    ParameterSpec req = ParameterSpec.builder(request, "request").build();
    List<MethodSpec> methods = new ArrayList<>();
    String call = "return $T.of(services.invoke(serviceName, $S, request.toParts(), $L, $L))";
    if (!operation.async()) {
      methods.add(
          MethodSpec.methodBuilder(methodName)
              .addModifiers(Modifier.PUBLIC)
              .addJavadoc(doc.build())
              .addJavadoc("@return the 2xx answer\n@throws $T for any other status\n", exception)
              .addParameter(req)
              .returns(response)
              .addStatement(call, response, operation.id(), "null", "null")
              .build());
      return methods;
    }
    ParameterSpec handler = ParameterSpec.builder(Types.nullable(callback), "handler").build();
    methods.add(
        MethodSpec.methodBuilder(methodName)
            .addModifiers(Modifier.PUBLIC)
            .addJavadoc(doc.build())
            .addJavadoc(
                "@param handler receives the callbacks; stored with the invocation and re-created for them; null"
                    + " to record them only\n")
            .addJavadoc("@param callbackTimeout how long to wait for the callbacks\n")
            .addJavadoc(
                "@return the synchronous 2xx answer, with the invocation id\n@throws $T for any other status\n",
                exception)
            .addParameter(req)
            .addParameter(handler)
            .addParameter(Types.DURATION, "callbackTimeout")
            .returns(response)
            .addStatement(
                call,
                response,
                operation.id(),
                "handler",
                CodeBlock.of(
                    "$T.requireNonNull(callbackTimeout, $S)", Types.OBJECTS, "callbackTimeout"))
            .build());
    methods.add(
        MethodSpec.methodBuilder(methodName)
            .addModifiers(Modifier.PUBLIC)
            .addJavadoc(
                "Like {@link #$L($T, $T, $T)}, waiting for callbacks as long as the runtime's default callback"
                    + " timeout.\n\n",
                methodName,
                request,
                callback,
                Types.DURATION)
            .addJavadoc(
                "@param request the request\n@param handler receives the callbacks; null to record them only\n")
            .addJavadoc(
                "@return the synchronous 2xx answer\n@throws $T for any other status\n", exception)
            .addParameter(req)
            .addParameter(handler)
            .returns(response)
            .addStatement(call, response, operation.id(), "handler", "null")
            .build());
    return methods;
  }
}
