package dev.extsvc.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeVariableName;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.lang.model.element.Modifier;

/**
 * The private static JSON helpers every generated service class carries, so that generated code
 * needs nothing beyond the runtime and Jackson. Calls are qualified with the service class: a
 * record component may share a helper's name.
 */
final class Helpers {
  static final String MAPPER = "JSON";
  static final Set<String> NAMES =
      Set.of("text", "texts", "fromText", "fromTexts", "tree", "read", "parse", "at", "cookie");

  private final ClassName service;
  private boolean cookies;

  Helpers(ClassName service) {
    this.service = service;
  }

  FieldSpec mapper() {
    return FieldSpec.builder(
            Types.OBJECT_MAPPER, MAPPER, Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
        .addJavadoc(
            "Dates as ISO text, unknown members tolerated: services add fields without notice.\n")
        .initializer(
            CodeBlock.builder()
                .add("$T.builder()\n", Types.JSON_MAPPER)
                .indent()
                .indent()
                .add(".addModule(new $T())\n", Types.JAVA_TIME_MODULE)
                .add(".disable($T.WRITE_DATES_AS_TIMESTAMPS)\n", Types.SERIALIZATION_FEATURE)
                .add(".disable($T.FAIL_ON_UNKNOWN_PROPERTIES)\n", Types.DESERIALIZATION_FEATURE)
                .add(
                    ".disable($T.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)\n",
                    Types.DESERIALIZATION_FEATURE)
                .add(".build()")
                .unindent()
                .unindent()
                .build())
        .build();
  }

  /** Some operation sends cookie parameters: the service class needs {@code cookie}. */
  void useCookies() {
    cookies = true;
  }

  List<MethodSpec> methods() {
    List<MethodSpec> methods = new ArrayList<>(common());
    if (cookies) {
      methods.add(
          helper("cookie", Types.nullable(Types.STRING))
              .addJavadoc("The value of cookie {@code name} in a Cookie header, or null.\n")
              .addParameter(Types.nullable(Types.STRING), "header")
              .addParameter(String.class, "name")
              .beginControlFlow("if (header == null)")
              .addStatement("return null")
              .endControlFlow()
              .beginControlFlow("for ($T pair : header.split($S))", String.class, ";")
              .addStatement("int eq = pair.indexOf('=')")
              .beginControlFlow("if (eq > 0 && pair.substring(0, eq).strip().equals(name))")
              .addStatement("return pair.substring(eq + 1).strip()")
              .endControlFlow()
              .endControlFlow()
              .addStatement("return null")
              .build());
    }
    return methods;
  }

  private List<MethodSpec> common() {
    TypeVariableName t = TypeVariableName.get("T");
    TypeName nullableT = Types.nullable(t);
    TypeName nullableString = Types.nullable(Types.STRING);
    TypeName nullableNode = Types.nullable(Types.JSON_NODE);
    TypeName classOfT = ParameterizedTypeName.get(ClassName.get(Class.class), t);
    TypeName referenceOfT = ParameterizedTypeName.get(Types.TYPE_REFERENCE, t);
    TypeName strings = ParameterizedTypeName.get(Types.LIST, Types.STRING);
    return List.of(
        helper("text", Types.STRING)
            .addParameter(Object.class, "value")
            .addStatement("$T node = $N.valueToTree(value)", Types.JSON_NODE, MAPPER)
            .addStatement("return node.isValueNode() ? node.asText() : node.toString()")
            .build(),
        helper("texts", strings)
            .addParameter(
                ParameterizedTypeName.get(Types.LIST, TypeVariableName.get("?")), "values")
            .addStatement("return values.stream().map($T::text).toList()", service)
            .build(),
        helper("fromText", nullableT)
            .addTypeVariable(t)
            .addParameter(nullableString, "text")
            .addParameter(classOfT, "type")
            .addStatement("return text == null ? null : $N.convertValue(text, type)", MAPPER)
            .build(),
        helper("fromTexts", Types.nullable(ParameterizedTypeName.get(Types.LIST, t)))
            .addTypeVariable(t)
            .addParameter(Types.nullable(strings), "texts")
            .addParameter(classOfT, "type")
            .addStatement(
                "return texts == null ? null : texts.stream().map(s -> $N.convertValue(s, type)).toList()",
                MAPPER)
            .build(),
        helper("tree", Types.JSON_NODE)
            .addParameter(Object.class, "value")
            .addStatement("return $N.valueToTree(value)", MAPPER)
            .build(),
        helper("read", nullableT)
            .addTypeVariable(t)
            .addParameter(nullableNode, "json")
            .addParameter(referenceOfT, "type")
            .addStatement(
                "return json == null || json.isNull() ? null : $N.convertValue(json, type)", MAPPER)
            .build(),
        helper("parse", nullableT)
            .addJavadoc(
                "Reads an answer's body; one that does not fit its declared schema is an error of the service.\n")
            .addTypeVariable(t)
            .addParameter(nullableString, "body")
            .addParameter(referenceOfT, "type")
            .beginControlFlow("if (body == null || body.isBlank())")
            .addStatement("return null")
            .endControlFlow()
            .beginControlFlow("try")
            .addStatement("return $N.readValue(body, type)", MAPPER)
            .nextControlFlow(
                "catch ($T e)", ClassName.get("com.fasterxml.jackson.core", "JacksonException"))
            .addStatement(
                "throw new $T($S + e.getOriginalMessage(), e)",
                Types.EXTSVC_EXCEPTION,
                "answer body does not match its declared schema: ")
            .endControlFlow()
            .build(),
        helper("at", nullableString)
            .addParameter(nullableNode, "body")
            .addParameter(String.class, "pointer")
            .addStatement(
                "return body == null || !body.at(pointer).isTextual() ? null : body.at(pointer).textValue()")
            .build());
  }

  private static MethodSpec.Builder helper(String name, TypeName returns) {
    return MethodSpec.methodBuilder(name)
        .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
        .returns(returns);
  }

  /** {@code Service.name(args)} */
  CodeBlock call(String name, CodeBlock args) {
    return CodeBlock.of("$T.$L($L)", service, name, args);
  }

  /** {@code new TypeReference<T>() {}}: the full generic type survives erasure. */
  static CodeBlock typeReference(TypeName type) {
    return CodeBlock.of(
        "new $T() {}", ParameterizedTypeName.get(Types.TYPE_REFERENCE, type.withoutAnnotations()));
  }
}
