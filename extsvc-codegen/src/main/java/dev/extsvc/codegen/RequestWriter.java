package dev.extsvc.codegen;

import com.fasterxml.jackson.databind.JsonNode;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.NameAllocator;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import dev.extsvc.spec.CallbackDefinition;
import dev.extsvc.spec.InjectionTarget;
import dev.extsvc.spec.Operation;
import dev.extsvc.spec.Parameter;
import dev.extsvc.spec.ParameterLocation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.lang.model.element.Modifier;
import org.jspecify.annotations.Nullable;

/**
 * An operation's {@code Request}: its body and parameters, plus, read-only, the callback URLs the
 * runtime writes into it. Parameters that are injection targets are left out of the constructor:
 * the runtime owns them.
 */
final class RequestWriter {
  /** One field of the request, with how it travels. */
  private record Field(
      String name, TypeName type, boolean required, Kind kind, String wire, String doc) {}

  private enum Kind {
    BODY,
    QUERY,
    QUERY_LIST,
    HEADER,
    PATH,
    COOKIE,
    URL_QUERY,
    URL_HEADER,
    URL_PATH,
    URL_BODY
  }

  private final ClassName type;
  private final Helpers helpers;
  private final List<Field> fields = new ArrayList<>();

  RequestWriter(ClassName type, Operation operation, SchemaTypes schemas, Helpers helpers) {
    this.type = type;
    this.helpers = helpers;
    NameAllocator names = Names.allocator(Names.RESERVED_MEMBER_NAMES);
    Map<String, InjectionTarget> targets = new LinkedHashMap<>();
    for (CallbackDefinition c : operation.callbacks()) {
      if (c.target() != null) {
        targets.putIfAbsent(c.target().id(), c.target());
      }
    }
    if (operation.parameters().stream().anyMatch(p -> p.in() == ParameterLocation.COOKIE)) {
      helpers.useCookies();
    }
    if (operation.requestBody() != null) {
      TypeName body =
          schemas.typeOf(
              operation.requestBody().schema(),
              new SchemaTypes.Place(null, Names.upperCamel(operation.id()) + "RequestBody"));
      fields.add(
          new Field(
              names.newName("body"),
              body,
              operation.requestBody().required(),
              Kind.BODY,
              "",
              "the request body"));
    }
    for (Parameter p : operation.parameters()) {
      String targetId =
          switch (p.in()) {
            case QUERY -> "query:" + p.name();
            case HEADER -> "header:" + p.name();
            case PATH -> "path:" + p.name();
            case COOKIE -> "cookie:" + p.name(); // never a callback target
          };
      if (targetId == null || targets.containsKey(targetId)) {
        continue;
      }
      TypeName t = parameterType(p.schema());
      Kind kind =
          switch (p.in()) {
            case QUERY -> t instanceof ParameterizedTypeName ? Kind.QUERY_LIST : Kind.QUERY;
            case HEADER -> Kind.HEADER;
            case COOKIE -> Kind.COOKIE;
            default -> Kind.PATH;
          };
      if (kind != Kind.QUERY_LIST && t instanceof ParameterizedTypeName) {
        t = Types.STRING;
      }
      fields.add(
          new Field(
              names.newName(Names.lowerCamel(p.name())),
              t,
              p.required() || p.in() == ParameterLocation.PATH,
              kind,
              p.name(),
              p.description() != null
                  ? p.description()
                  : p.in().name().toLowerCase(java.util.Locale.ROOT) + " parameter " + p.name()));
    }
    for (InjectionTarget target : targets.values()) {
      List<String> keys =
          operation.callbacks().stream()
              .filter(c -> c.target() != null && c.target().id().equals(target.id()))
              .map(CallbackDefinition::key)
              .distinct()
              .toList();
      String doc =
          "the callback URL the runtime wrote for "
              + String.join(", ", keys)
              + " ("
              + target.describe()
              + "); null until the request is sent";
      fields.add(
          switch (target) {
            case InjectionTarget.Query q ->
                new Field(
                    names.newName(Names.lowerCamel(q.name())),
                    Types.STRING,
                    false,
                    Kind.URL_QUERY,
                    q.name(),
                    doc);
            case InjectionTarget.Header h ->
                new Field(
                    names.newName(Names.lowerCamel(h.name())),
                    Types.STRING,
                    false,
                    Kind.URL_HEADER,
                    h.name(),
                    doc);
            case InjectionTarget.Path p ->
                new Field(
                    names.newName(Names.lowerCamel(p.name())),
                    Types.STRING,
                    false,
                    Kind.URL_PATH,
                    p.name(),
                    doc);
            case InjectionTarget.Body b ->
                new Field(
                    names.newName(Names.lowerCamel(b.pointer())),
                    Types.STRING,
                    false,
                    Kind.URL_BODY,
                    b.pointer(),
                    doc);
          });
    }
  }

  /** Scalars keep their type; arrays of scalars become lists; anything else travels as text. */
  private static TypeName parameterType(@Nullable JsonNode schema) {
    if (schema == null) {
      return Types.STRING;
    }
    String type = Schemas.type(schema);
    if ("array".equals(type)) {
      TypeName item = parameterType(schema.get("items"));
      return ParameterizedTypeName.get(Types.LIST, item);
    }
    TypeName t =
        SchemaTypes.scalar(
            type, Schemas.isStringEnum(schema) ? null : Schemas.text(schema, "format"));
    return t.equals(Types.JSON_NODE) || !(t instanceof ClassName) ? Types.STRING : t;
  }

  private static boolean isUrl(Field f) {
    return f.kind().name().startsWith("URL_");
  }

  TypeSpec build(String operationId) {
    TypeSpec.Builder b =
        TypeSpec.classBuilder(type)
            .addModifiers(Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
            .addJavadoc(
                "The request of $L: its body and parameters$L.\n",
                operationId,
                fields.stream().anyMatch(RequestWriter::isUrl)
                    ? ", and the callback URLs the runtime writes into it (read-only)"
                    : "");
    MethodSpec.Builder all = MethodSpec.constructorBuilder();
    MethodSpec.Builder open = MethodSpec.constructorBuilder().addModifiers(Modifier.PUBLIC);
    CodeBlock.Builder params = CodeBlock.builder().add("A request to send.\n\n");
    List<CodeBlock> delegate = new ArrayList<>();
    for (Field f : fields) {
      TypeName declared = f.required() ? f.type() : Types.nullable(f.type());
      b.addField(declared, f.name(), Modifier.PRIVATE, Modifier.FINAL);
      all.addParameter(declared, f.name());
      if (f.required()) {
        all.addStatement(
            "this.$N = $T.requireNonNull($N, $S)", f.name(), Types.OBJECTS, f.name(), f.name());
      } else {
        all.addStatement("this.$N = $N", f.name(), f.name());
      }
      if (isUrl(f)) {
        delegate.add(CodeBlock.of("null"));
      } else {
        open.addParameter(declared, f.name());
        params.add("@param $L $L\n", f.name(), Docs.inline(f.doc()));
        delegate.add(CodeBlock.of("$N", f.name()));
      }
      b.addMethod(
          MethodSpec.methodBuilder(f.name())
              .addJavadoc("Returns $L.\n", Docs.inline(f.doc()))
              .addModifiers(Modifier.PUBLIC)
              .returns(declared)
              .addStatement("return $N", f.name())
              .build());
    }
    boolean hasUrls = fields.stream().anyMatch(RequestWriter::isUrl);
    if (hasUrls) {
      b.addMethod(
          open.addJavadoc(params.build())
              .addStatement("this($L)", CodeBlock.join(delegate, ", "))
              .build());
      b.addMethod(all.addModifiers(Modifier.PRIVATE).build());
    } else {
      b.addMethod(all.addModifiers(Modifier.PUBLIC).addJavadoc(params.build()).build());
    }
    b.addMethod(toParts());
    b.addMethod(fromParts());
    return b.build();
  }

  private MethodSpec toParts() {
    MethodSpec.Builder m =
        MethodSpec.methodBuilder("toParts")
            .addModifiers(Modifier.PRIVATE)
            .returns(Types.REQUEST_PARTS)
            .addStatement("$T parts = new $T()", Types.REQUEST_PARTS, Types.REQUEST_PARTS);
    for (Field f : fields) {
      CodeBlock value = CodeBlock.of("$N", f.name());
      CodeBlock put =
          switch (f.kind()) {
            case BODY -> CodeBlock.of("parts.body($L)", helpers.call("tree", value));
            case QUERY ->
                CodeBlock.of("parts.query($S, $L)", f.wire(), helpers.call("text", value));
            case QUERY_LIST ->
                CodeBlock.of(
                    "parts.query().put($S, new $T<>($L))",
                    f.wire(),
                    ClassName.get(ArrayList.class),
                    helpers.call("texts", value));
            case HEADER ->
                CodeBlock.of("parts.header($S, $L)", f.wire(), helpers.call("text", value));
            case PATH ->
                CodeBlock.of("parts.pathParam($S, $L)", f.wire(), helpers.call("text", value));
            // One Cookie header for all (RFC 6265); a cookie credential the runtime adds joins it.
            case COOKIE ->
                CodeBlock.of(
                    "parts.headers().merge($S, $S + $L, (a, b) -> a + $S + b)",
                    "Cookie",
                    f.wire() + "=",
                    helpers.call("text", value),
                    "; ");
            default -> null; // callback URLs are the runtime's to write
          };
      if (put == null) {
        continue;
      }
      if (f.required()) {
        m.addStatement(put);
      } else {
        m.beginControlFlow("if ($N != null)", f.name()).addStatement(put).endControlFlow();
      }
    }
    return m.addStatement("return parts").build();
  }

  private MethodSpec fromParts() {
    List<CodeBlock> args = new ArrayList<>();
    for (Field f : fields) {
      args.add(
          switch (f.kind()) {
            case BODY ->
                helpers.call(
                    "read", CodeBlock.of("parts.body(), $L", Helpers.typeReference(f.type())));
            case QUERY -> fromText(CodeBlock.of("parts.firstQuery($S)", f.wire()), f.type());
            case QUERY_LIST ->
                helpers.call(
                    "fromTexts",
                    CodeBlock.of(
                        "parts.query().get($S), $T.class",
                        f.wire(),
                        ((ParameterizedTypeName) f.type()).typeArguments().get(0)));
            case HEADER -> fromText(CodeBlock.of("parts.headers().get($S)", f.wire()), f.type());
            case PATH -> fromText(CodeBlock.of("parts.path().get($S)", f.wire()), f.type());
            case COOKIE ->
                fromText(
                    helpers.call(
                        "cookie", CodeBlock.of("parts.headers().get($S), $S", "Cookie", f.wire())),
                    f.type());
            case URL_QUERY -> CodeBlock.of("parts.firstQuery($S)", f.wire());
            case URL_HEADER -> CodeBlock.of("parts.headers().get($S)", f.wire());
            case URL_PATH -> CodeBlock.of("parts.path().get($S)", f.wire());
            case URL_BODY -> helpers.call("at", CodeBlock.of("parts.body(), $S", f.wire()));
          });
    }
    return MethodSpec.methodBuilder("fromParts")
        .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
        .returns(type)
        .addParameter(Types.REQUEST_PARTS, "parts")
        .addStatement("return new $T($L)", type, CodeBlock.join(args, ",\n    "))
        .build();
  }

  private CodeBlock fromText(CodeBlock text, TypeName t) {
    return t.equals(Types.STRING)
        ? text
        : helpers.call("fromText", CodeBlock.of("$L, $T.class", text, t));
  }
}
