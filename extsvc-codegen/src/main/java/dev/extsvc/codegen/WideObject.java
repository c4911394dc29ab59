package dev.extsvc.codegen;

import com.palantir.javapoet.AnnotationSpec;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.lang.model.element.Modifier;
import org.jspecify.annotations.Nullable;

/**
 * An object schema with more properties than a record may have components (a method takes at most
 * 255 parameter slots): a final class with the same accessors as a record, built by a {@code
 * Builder} that Jackson also reads through. Real APIs have them (a 305-column report row).
 */
final class WideObject {
  /** 255 parameter slots, one taken by {@code this}; every component is a reference (one slot). */
  static final int MAX_RECORD_COMPONENTS = 254;

  /** Members of the class that properties must not be named after. */
  static final Set<String> RESERVED_MEMBER_NAMES = Set.of("builder", "build");

  private static final ClassName JSON_DESERIALIZE =
      ClassName.get("com.fasterxml.jackson.databind.annotation", "JsonDeserialize");
  private static final ClassName JSON_POJO_BUILDER =
      ClassName.get("com.fasterxml.jackson.databind.annotation", "JsonPOJOBuilder");

  private final ClassName type;
  private final ClassName builder;
  private final List<SchemaTypes.Member> members;
  private final SchemaTypes.@Nullable Member rest;

  WideObject(
      ClassName type,
      ClassName builder,
      List<SchemaTypes.Member> members,
      SchemaTypes.@Nullable Member rest) {
    this.type = type;
    this.builder = builder;
    this.members = members;
    this.rest = rest;
  }

  void declare(TypeSpec.Builder b) {
    b.addAnnotation(
        AnnotationSpec.builder(JSON_DESERIALIZE).addMember("builder", "$T.class", builder).build());
    MethodSpec.Builder constructor =
        MethodSpec.constructorBuilder().addModifiers(Modifier.PRIVATE).addParameter(builder, "b");
    for (SchemaTypes.Member m : members) {
      b.addField(
          FieldSpec.builder(m.declared(), m.field(), Modifier.PRIVATE, Modifier.FINAL)
              .addAnnotation(
                  AnnotationSpec.builder(Types.JSON_PROPERTY)
                      .addMember("value", "$S", m.json())
                      .build())
              .build());
      if (m.mandatory()) {
        constructor.addStatement(
            "this.$N = $T.requireNonNull(b.$N, $S)",
            m.field(),
            Types.OBJECTS,
            m.field(),
            m.field());
      } else {
        constructor.addStatement("this.$N = b.$N", m.field(), m.field());
      }
      b.addMethod(
          accessor(m)
              .addJavadoc("Returns $L.\n", m.doc())
              .addStatement("return $N", m.field())
              .build());
    }
    if (rest != null) {
      b.addField(rest.type(), rest.field(), Modifier.PRIVATE, Modifier.FINAL);
      constructor.addStatement(
          "this.$N = $T.unmodifiableMap(new $T<>(b.$N))",
          rest.field(),
          ClassName.get("java.util", "Collections"),
          ClassName.get("java.util", "LinkedHashMap"),
          rest.field());
      b.addMethod(
          accessor(rest)
              .addAnnotation(Types.JSON_ANY_GETTER)
              .addJavadoc("Returns $L.\n", rest.doc())
              .addStatement("return $N", rest.field())
              .build());
    }
    b.addMethod(constructor.build());
    b.addMethod(
        MethodSpec.methodBuilder("builder")
            .addModifiers(Modifier.PUBLIC, Modifier.STATIC)
            .addJavadoc("A builder with every property unset.\n\n@return a new builder\n")
            .returns(builder)
            .addStatement("return new $T()", builder)
            .build());
    valueMethods(b);
    b.addType(builderType());
  }

  private static MethodSpec.Builder accessor(SchemaTypes.Member m) {
    return MethodSpec.methodBuilder(m.field()).addModifiers(Modifier.PUBLIC).returns(m.declared());
  }

  private List<SchemaTypes.Member> all() {
    List<SchemaTypes.Member> all = new ArrayList<>(members);
    if (rest != null) {
      all.add(rest);
    }
    return all;
  }

  /** equals, hashCode and toString as a record would have them. */
  private void valueMethods(TypeSpec.Builder b) {
    List<CodeBlock> same = new ArrayList<>();
    List<CodeBlock> fields = new ArrayList<>();
    List<CodeBlock> shown = new ArrayList<>();
    for (SchemaTypes.Member m : all()) {
      same.add(CodeBlock.of("$T.equals($N, other.$N)", Types.OBJECTS, m.field(), m.field()));
      fields.add(CodeBlock.of("$N", m.field()));
      shown.add(
          CodeBlock.of("$S + $N", (shown.isEmpty() ? "" : ", ") + m.field() + "=", m.field()));
    }
    b.addMethod(
        MethodSpec.methodBuilder("equals")
            .addAnnotation(Override.class)
            .addModifiers(Modifier.PUBLIC)
            .returns(boolean.class)
            .addParameter(Types.nullable(ClassName.OBJECT), "o")
            .addStatement(
                "return o instanceof $T other\n    && $L", type, CodeBlock.join(same, "\n    && "))
            .build());
    b.addMethod(
        MethodSpec.methodBuilder("hashCode")
            .addAnnotation(Override.class)
            .addModifiers(Modifier.PUBLIC)
            .returns(int.class)
            .addStatement("return $T.hash($L)", Types.OBJECTS, CodeBlock.join(fields, ", "))
            .build());
    b.addMethod(
        MethodSpec.methodBuilder("toString")
            .addAnnotation(Override.class)
            .addModifiers(Modifier.PUBLIC)
            .returns(Types.STRING)
            .addStatement(
                "return $S\n    + $L\n    + $S",
                type.simpleName() + "[",
                CodeBlock.join(shown, "\n    + "),
                "]")
            .build());
  }

  private TypeSpec builderType() {
    TypeSpec.Builder b =
        TypeSpec.classBuilder(builder)
            .addModifiers(Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
            .addJavadoc("Builds a {@link $T}; Jackson reads JSON through it too.\n", type)
            .addAnnotation(
                AnnotationSpec.builder(JSON_POJO_BUILDER)
                    .addMember("withPrefix", "$S", "")
                    .build());
    if (rest == null) {
      b.addAnnotation(
          AnnotationSpec.builder(Types.JSON_IGNORE_PROPERTIES)
              .addMember("ignoreUnknown", "true")
              .build());
    }
    b.addMethod(MethodSpec.constructorBuilder().addModifiers(Modifier.PRIVATE).build());
    for (SchemaTypes.Member m : members) {
      b.addField(Types.nullable(m.type()), m.field(), Modifier.PRIVATE);
      b.addMethod(
          MethodSpec.methodBuilder(m.field())
              .addModifiers(Modifier.PUBLIC)
              .addAnnotation(
                  AnnotationSpec.builder(Types.JSON_PROPERTY)
                      .addMember("value", "$S", m.json())
                      .build())
              .addJavadoc("Sets $L.\n\n@param value the value\n@return this builder\n", m.doc())
              .addParameter(Types.nullable(m.type()), "value")
              .returns(builder)
              .addStatement("this.$N = value", m.field())
              .addStatement("return this")
              .build());
    }
    if (rest != null) {
      b.addField(
          FieldSpec.builder(rest.type(), rest.field(), Modifier.PRIVATE, Modifier.FINAL)
              .initializer("new $T<>()", ClassName.get("java.util", "LinkedHashMap"))
              .build());
      var value =
          ((com.palantir.javapoet.ParameterizedTypeName) rest.type()).typeArguments().get(1);
      b.addMethod(
          MethodSpec.methodBuilder(rest.field())
              .addModifiers(Modifier.PUBLIC)
              .addAnnotation(Types.JSON_ANY_SETTER)
              .addJavadoc(
                  "Adds a member not declared above.\n\n@param name its name\n@param value its value\n"
                      + "@return this builder\n")
              .addParameter(Types.STRING, "name")
              .addParameter(value, "value")
              .returns(builder)
              .addStatement("$N.put(name, value)", rest.field())
              .addStatement("return this")
              .build());
    }
    b.addMethod(
        MethodSpec.methodBuilder("build")
            .addModifiers(Modifier.PUBLIC)
            .addJavadoc(
                "@return the object\n@throws NullPointerException when a required property is unset\n")
            .returns(type)
            .addStatement("return new $T(this)", type)
            .build());
    return b.build();
  }
}
