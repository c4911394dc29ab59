package dev.extsvc.codegen;

import com.fasterxml.jackson.databind.JsonNode;
import com.palantir.javapoet.AnnotationSpec;
import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.NameAllocator;
import com.palantir.javapoet.ParameterSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import javax.lang.model.element.Modifier;
import org.jspecify.annotations.Nullable;

/**
 * Java types for JSON Schemas: records for objects, enums for string enums, sealed interfaces for
 * unions of objects, JDK types for scalars and {@code JsonNode} where Java has no better answer.
 * Component schemas become one top-level type each; anonymous ones are named after where they
 * appear.
 */
final class SchemaTypes {
  private final String packageName;
  private final Components components;
  private final NameAllocator topNames;
  private final Map<String, TypeName> componentTypes = new HashMap<>();
  private final Map<ClassName, TypeNode> nodes = new HashMap<>();
  private final List<TypeNode> topLevel = new ArrayList<>();

  SchemaTypes(String packageName, Components components, NameAllocator topNames) {
    this.packageName = packageName;
    this.components = components;
    this.topNames = topNames;
  }

  /** Where a new type goes (top level when {@code parent} is null) and the name it would like. */
  record Place(@Nullable TypeNode parent, String name) {
    Place suffixed(String suffix) {
      return new Place(parent, name + suffix);
    }
  }

  List<TypeNode> topLevel() {
    return topLevel;
  }

  /**
   * The Java type of a schema, never annotated; new types it needs are generated at {@code place}.
   */
  TypeName typeOf(@Nullable JsonNode schema, Place place) {
    if (schema == null || !schema.isObject() || schema.isEmpty()) {
      return Types.JSON_NODE;
    }
    String ref = Components.refName(schema.path("$ref").textValue());
    if (ref != null) {
      JsonNode target = components.schema(ref).orElse(null);
      if (target == null) {
        return Types.JSON_NODE;
      }
      return Schemas.isNamedKind(target) ? componentType(ref) : typeOf(target, place);
    }
    String component = components.nameOf(schema).orElse(null);
    return component != null ? componentType(component) : anonymous(schema, place);
  }

  private TypeName componentType(String name) {
    TypeName known = componentTypes.get(name);
    if (known != null) {
      return known;
    }
    JsonNode schema = components.schema(name).orElseThrow();
    if (!Schemas.isObject(schema) && !Schemas.isEnum(schema) && !unionOfObjects(schema)) {
      TypeName plain = anonymous(schema, new Place(null, Names.upperCamel(name)));
      componentTypes.put(name, plain);
      return plain;
    }
    ClassName type = ClassName.get(packageName, topNames.newName(Names.upperCamel(name)));
    componentTypes.put(name, type); // before generating: a recursive schema refers to itself
    // Subtypes that would not be records (their own hierarchies) stay out; without any, no
    // hierarchy.
    List<String> subtypes =
        !Schemas.isObject(schema)
            ? List.of()
            : components.subtypesOf(name).stream()
                .filter(
                    s ->
                        components.subtypesOf(s).isEmpty()
                            && Schemas.isObject(components.schema(s).orElseThrow()))
                .toList();
    if (subtypes.isEmpty()) {
      declare(schema, type, null);
    } else {
      declareHierarchy(schema, type, subtypes);
    }
    return type;
  }

  private TypeName anonymous(JsonNode schema, Place place) {
    if (Schemas.isEnum(schema) || Schemas.isObject(schema) || unionOfObjects(schema)) {
      return declare(schema, allocate(place, schema), place.parent());
    }
    if (schema.has("allOf")) {
      return typeOf(Schemas.mergeAllOf(schema), place);
    }
    if (schema.has("oneOf") || schema.has("anyOf")) {
      List<JsonNode> alternatives = Schemas.alternatives(schema);
      return alternatives.size() == 1 ? typeOf(alternatives.get(0), place) : Types.JSON_NODE;
    }
    String type = Schemas.type(schema);
    if ("array".equals(type) || type == null && schema.has("items")) {
      return ParameterizedTypeName.get(
          Types.LIST, typeOf(schema.get("items"), place.suffixed("Item")));
    }
    JsonNode additional = schema.path("additionalProperties");
    if (additional.isObject()) {
      return ParameterizedTypeName.get(
          Types.MAP, Types.STRING, typeOf(additional, place.suffixed("Value")));
    }
    return scalar(type, Schemas.text(schema, "format"));
  }

  static TypeName scalar(@Nullable String type, @Nullable String format) {
    String f = format == null ? "" : format;
    return switch (type == null ? "" : type) {
      case "string" ->
          switch (f) {
            case "date" -> ClassName.get("java.time", "LocalDate");
            case "date-time" -> ClassName.get("java.time", "OffsetDateTime");
            case "uuid" -> ClassName.get("java.util", "UUID");
            case "binary", "byte" -> ArrayTypeName.of(TypeName.BYTE);
            default -> Types.STRING;
          };
      // Without int32 a JSON integer may not fit 32 bits.
      case "integer" ->
          f.equals("int32") ? ClassName.get(Integer.class) : ClassName.get(Long.class);
      case "number" ->
          switch (f) {
            case "float" -> ClassName.get(Float.class);
            case "double" -> ClassName.get(Double.class);
            default -> ClassName.get("java.math", "BigDecimal");
          };
      case "boolean" -> ClassName.get(Boolean.class);
      default -> Types.JSON_NODE;
    };
  }

  private ClassName allocate(Place place, JsonNode schema) {
    String title = Schemas.text(schema, "title");
    String suggestion = title != null ? Names.upperCamel(title) : place.name();
    return place.parent() == null
        ? ClassName.get(packageName, topNames.newName(suggestion))
        : place.parent().nestedName(suggestion);
  }

  private TypeName declare(JsonNode schema, ClassName type, @Nullable TypeNode parent) {
    if (Schemas.isStringEnum(schema)) {
      declareEnum(schema, type, parent);
    } else if (Schemas.isIntegerEnum(schema)) {
      declareIntegerEnum(schema, type, parent);
    } else if (Schemas.isObject(schema)) {
      declareRecord(Schemas.mergeAllOf(schema), type, parent);
    } else {
      declareUnion(schema, type, parent);
    }
    return type;
  }

  private TypeNode node(
      ClassName type, TypeSpec.Builder builder, boolean record, @Nullable TypeNode parent) {
    if (parent != null && parent.isInterface) {
      builder.addModifiers(Modifier.STATIC); // implicit there, and JavaPoet wants it said
    }
    TypeNode node = new TypeNode(type, builder, record, parent);
    nodes.put(type, node);
    if (parent == null) {
      topLevel.add(node);
    }
    return node;
  }

  private void declareEnum(JsonNode schema, ClassName type, @Nullable TypeNode parent) {
    TypeSpec.Builder b = TypeSpec.enumBuilder(type).addModifiers(Modifier.PUBLIC);
    String description = Docs.sentence(Schemas.text(schema, "description"));
    b.addJavadoc(
        "$L", description.isEmpty() ? "The " + type.simpleName() + " values.\n" : description);
    NameAllocator constants = Names.allocator(Set.of());
    for (JsonNode value : schema.get("enum")) {
      if (value.isTextual()) {
        b.addEnumConstant(
            constants.newName(Names.constant(value.textValue())),
            TypeSpec.anonymousClassBuilder("$S", value.textValue()).build());
      }
    }
    b.addField(Types.STRING, "value", Modifier.PRIVATE, Modifier.FINAL);
    b.addMethod(
        MethodSpec.constructorBuilder()
            .addParameter(Types.STRING, "value")
            .addStatement("this.value = value")
            .build());
    b.addMethod(
        MethodSpec.methodBuilder("value")
            .addJavadoc("The value as it travels in JSON.\n")
            .addAnnotation(Types.JSON_VALUE)
            .addModifiers(Modifier.PUBLIC)
            .returns(Types.STRING)
            .addStatement("return value")
            .build());
    b.addMethod(
        MethodSpec.methodBuilder("toString")
            .addAnnotation(Override.class)
            .addModifiers(Modifier.PUBLIC)
            .returns(Types.STRING)
            .addStatement("return value")
            .build());
    node(type, b, false, parent);
  }

  /** One property of an object schema as a record component (or, for a wide object, a field). */
  record Member(
      String json, String field, TypeName type, boolean mandatory, @Nullable String description) {
    TypeName declared() {
      return mandatory ? type : Types.nullable(type);
    }

    String doc() {
      return description != null
          ? Docs.inline(description)
          : (mandatory ? "required" : "optional, may be null");
    }
  }

  /**
   * An enum whose values travel as JSON integers. Constants are named by the spec's {@code
   * x-enum-varnames} when it gives one per value, else after the value ({@code VALUE_2}); Jackson
   * reads them through {@code of}, as it would otherwise take a number for the constant's position.
   */
  private void declareIntegerEnum(JsonNode schema, ClassName type, @Nullable TypeNode parent) {
    TypeSpec.Builder b = TypeSpec.enumBuilder(type).addModifiers(Modifier.PUBLIC);
    String description = Docs.sentence(Schemas.text(schema, "description"));
    b.addJavadoc(
        "$L", description.isEmpty() ? "The " + type.simpleName() + " values.\n" : description);
    List<JsonNode> values = new ArrayList<>();
    schema
        .get("enum")
        .forEach(
            v -> {
              if (!v.isNull()) {
                values.add(v);
              }
            });
    JsonNode varnames = schema.path("x-enum-varnames");
    boolean named = varnames.isArray() && varnames.size() == values.size();
    NameAllocator constants = Names.allocator(Set.of());
    for (int i = 0; i < values.size(); i++) {
      long value = values.get(i).asLong();
      String name =
          named && varnames.get(i).isTextual()
              ? Names.constant(varnames.get(i).textValue())
              : Names.constant("value " + (value < 0 ? "minus " + -value : value));
      b.addEnumConstant(
          constants.newName(name), TypeSpec.anonymousClassBuilder("$LL", value).build());
    }
    b.addField(long.class, "value", Modifier.PRIVATE, Modifier.FINAL);
    b.addMethod(
        MethodSpec.constructorBuilder()
            .addParameter(long.class, "value")
            .addStatement("this.value = value")
            .build());
    b.addMethod(
        MethodSpec.methodBuilder("value")
            .addJavadoc("The value as it travels in JSON.\n")
            .addAnnotation(Types.JSON_VALUE)
            .addModifiers(Modifier.PUBLIC)
            .returns(long.class)
            .addStatement("return value")
            .build());
    b.addMethod(
        MethodSpec.methodBuilder("of")
            .addJavadoc(
                "The constant of a value.\n\n@param value the value as it travels in JSON\n@return its constant\n"
                    + "@throws IllegalArgumentException when the value is not one of the enum's\n")
            .addAnnotation(Types.JSON_CREATOR)
            .addModifiers(Modifier.PUBLIC, Modifier.STATIC)
            .addParameter(long.class, "value")
            .returns(type)
            .beginControlFlow("for ($T constant : values())", type)
            .beginControlFlow("if (constant.value == value)")
            .addStatement("return constant")
            .endControlFlow()
            .endControlFlow()
            .addStatement(
                "throw new $T($S + value)",
                IllegalArgumentException.class,
                "not a " + type.simpleName() + ": ")
            .build());
    b.addMethod(
        MethodSpec.methodBuilder("toString")
            .addAnnotation(Override.class)
            .addModifiers(Modifier.PUBLIC)
            .returns(Types.STRING)
            .addStatement("return $T.toString(value)", Long.class)
            .build());
    node(type, b, false, parent);
  }

  private void declareRecord(JsonNode schema, ClassName type, @Nullable TypeNode parent) {
    JsonNode additional = schema.path("additionalProperties");
    Map<String, JsonNode> properties = new LinkedHashMap<>();
    schema
        .path("properties")
        .fields()
        .forEachRemaining(e -> properties.put(e.getKey(), e.getValue()));
    boolean wide =
        properties.size() + (additional.isObject() ? 1 : 0) > WideObject.MAX_RECORD_COMPONENTS;
    TypeSpec.Builder b =
        wide
            ? TypeSpec.classBuilder(type).addModifiers(Modifier.PUBLIC, Modifier.FINAL)
            : TypeSpec.recordBuilder(type).addModifiers(Modifier.PUBLIC);
    if (wide && parent != null && !parent.isInterface) {
      b.addModifiers(Modifier.STATIC); // records are static when nested, classes must say it
    }
    TypeNode node = node(type, b, true, parent);
    // A wide object's own members come first, so that no nested type of a property takes their
    // names.
    ClassName builderType = wide ? node.nestedName("Builder") : null;
    b.addAnnotation(
        AnnotationSpec.builder(Types.JSON_INCLUDE)
            .addMember("value", "$T.NON_NULL", Types.JSON_INCLUDE_KIND)
            .build());
    if (!additional.isObject()) {
      b.addAnnotation(
          AnnotationSpec.builder(Types.JSON_IGNORE_PROPERTIES)
              .addMember("ignoreUnknown", "true")
              .build());
    }
    Set<String> required = new TreeSet<>();
    schema.path("required").forEach(r -> required.add(r.asText()));
    Set<String> reserved = new java.util.HashSet<>(Names.RESERVED_MEMBER_NAMES);
    if (wide) {
      reserved.addAll(WideObject.RESERVED_MEMBER_NAMES);
    }
    NameAllocator names = Names.allocator(reserved);
    List<Member> members = new ArrayList<>();
    for (Map.Entry<String, JsonNode> p : properties.entrySet()) {
      String json = p.getKey();
      JsonNode propertySchema = p.getValue();
      String field = names.newName(Names.lowerCamel(json));
      TypeName t = typeOf(propertySchema, new Place(node, Names.upperCamel(json)));
      boolean mandatory = required.contains(json) && !Schemas.nullable(propertySchema);
      members.add(
          new Member(json, field, t, mandatory, Schemas.text(propertySchema, "description")));
    }
    Member rest = null;
    if (additional.isObject()) {
      TypeName value = typeOf(additional, new Place(node, type.simpleName() + "Value"));
      rest =
          new Member(
              "",
              names.newName("additionalProperties"),
              ParameterizedTypeName.get(Types.MAP, Types.STRING, value),
              true,
              "the members not declared above (additionalProperties)");
    }
    if (wide) {
      new WideObject(type, Objects.requireNonNull(builderType), members, rest).declare(b);
      b.addJavadoc("$L", javadocOf(schema, type));
      b.addJavadoc(
          "\n<p>A class rather than a record: Java allows a record at most $L components, and this object"
              + " has\n$L properties. Build one with {@link #builder()}.\n",
          WideObject.MAX_RECORD_COMPONENTS,
          members.size());
      return;
    }
    MethodSpec.Builder canonical = MethodSpec.constructorBuilder();
    MethodSpec.Builder compact =
        MethodSpec.compactConstructorBuilder().addModifiers(Modifier.PUBLIC);
    CodeBlock.Builder params = CodeBlock.builder();
    for (Member m : members) {
      AnnotationSpec.Builder property =
          AnnotationSpec.builder(Types.JSON_PROPERTY).addMember("value", "$S", m.json());
      if (m.mandatory()) {
        property.addMember("required", "true");
        compact.addStatement("$T.requireNonNull($N, $S)", Types.OBJECTS, m.field(), m.field());
      }
      canonical.addParameter(
          ParameterSpec.builder(m.declared(), m.field()).addAnnotation(property.build()).build());
      params.add("@param $L $L\n", m.field(), m.doc());
    }
    if (rest != null) {
      String field = rest.field();
      canonical.addParameter(
          ParameterSpec.builder(rest.type(), field)
              .addAnnotation(Types.JSON_ANY_SETTER)
              .addAnnotation(Types.JSON_ANY_GETTER)
              .build());
      compact.addStatement(
          "$N = $N == null ? $T.of() : $T.unmodifiableMap(new $T<>($N))",
          field,
          field,
          Types.MAP,
          ClassName.get("java.util", "Collections"),
          ClassName.get(LinkedHashMap.class),
          field);
      params.add("@param $L $L\n", field, rest.description());
    }
    b.recordConstructor(canonical.build());
    if (!compact.build().code().isEmpty()) {
      b.addMethod(compact.build());
    }
    b.addJavadoc("$L", javadocOf(schema, type));
    b.addJavadoc("\n$L", params.build());
  }

  private static String javadocOf(JsonNode schema, ClassName type) {
    String description = Docs.sentence(Schemas.text(schema, "description"));
    return description.isEmpty() ? "The " + type.simpleName() + " schema.\n" : description;
  }

  private boolean unionOfObjects(JsonNode schema) {
    if (!schema.has("oneOf") && !schema.has("anyOf")) {
      return false;
    }
    List<JsonNode> alternatives = Schemas.alternatives(schema);
    return alternatives.size() > 1
        && alternatives.stream().allMatch(a -> Schemas.isObject(resolve(a)));
  }

  private JsonNode resolve(JsonNode schema) {
    String ref = Components.refName(schema.path("$ref").textValue());
    return ref == null ? schema : components.schema(ref).orElse(schema);
  }

  /**
   * A schema with a discriminator that others extend through allOf: a sealed interface that the
   * records of its subtypes implement, chosen by the discriminator's value (its mapping, else the
   * component's name).
   */
  private void declareHierarchy(JsonNode schema, ClassName type, List<String> subtypeNames) {
    TypeSpec.Builder b =
        TypeSpec.interfaceBuilder(type).addModifiers(Modifier.PUBLIC, Modifier.SEALED);
    TypeNode node = node(type, b, false, null);
    node.isInterface = true;
    String description = Docs.sentence(Schemas.text(schema, "description"));
    b.addJavadoc("$L$L", description, description.isEmpty() ? "" : "\n<p>");
    String property = schema.path("discriminator").path("propertyName").textValue();
    b.addJavadoc(
        "One of the records that extend it (allOf), told apart by $L.\n", Docs.inline(property));
    Map<String, List<String>> valuesByComponent = mappedValues(schema.path("discriminator"));
    AnnotationSpec.Builder subTypes = AnnotationSpec.builder(Types.JSON_SUB_TYPES);
    for (String name : subtypeNames) {
      ClassName subtype =
          (ClassName) componentType(name); // an object: a record (or a wide object's class)
      Objects.requireNonNull(nodes.get(subtype))
          .builder
          .addSuperinterface(type); // componentType declared it
      b.addPermittedSubclass(subtype);
      subTypes.addMember(
          "value",
          "$L",
          names(
                  AnnotationSpec.builder(Types.JSON_SUB_TYPES.nestedClass("Type"))
                      .addMember("value", "$T.class", subtype),
                  valuesOf(
                      valuesByComponent,
                      name,
                      Schemas.mergeAllOf(components.schema(name).orElseThrow()),
                      property))
              .build());
    }
    b.addAnnotation(
        AnnotationSpec.builder(Types.JSON_TYPE_INFO)
            .addMember("use", "$T.Id.NAME", Types.JSON_TYPE_INFO)
            .addMember("include", "$T.As.EXISTING_PROPERTY", Types.JSON_TYPE_INFO)
            .addMember("property", "$S", property)
            .addMember("visible", "true")
            .build());
    b.addAnnotation(subTypes.build());
  }

  /**
   * A sealed interface over records. With a discriminator whose value every alternative declares,
   * Jackson picks the record by that property; otherwise by which properties are present
   * (deduction).
   */
  private void declareUnion(JsonNode schema, ClassName type, @Nullable TypeNode parent) {
    TypeSpec.Builder b =
        TypeSpec.interfaceBuilder(type).addModifiers(Modifier.PUBLIC, Modifier.SEALED);
    TypeNode node = node(type, b, false, parent);
    node.isInterface = true;
    b.addJavadoc("$L", Docs.sentence(Schemas.text(schema, "description")));
    b.addJavadoc("$L", Docs.sentence(Schemas.text(schema, "description")).isEmpty() ? "" : "\n<p>");
    b.addJavadoc(
        "One of the records that implement it$L.\n",
        schema.has("anyOf") ? " (anyOf: the first that matches)" : "");
    String property = schema.path("discriminator").path("propertyName").textValue();
    Map<String, List<String>> valuesByComponent = mappedValues(schema.path("discriminator"));
    List<ClassName> subtypes = new ArrayList<>();
    List<@Nullable List<String>> values = new ArrayList<>();
    List<JsonNode> alternatives = Schemas.alternatives(schema);
    for (int i = 0; i < alternatives.size(); i++) {
      JsonNode alternative = alternatives.get(i);
      String component = Components.refName(alternative.path("$ref").textValue());
      if (component == null) {
        component = components.nameOf(alternative).orElse(null);
      }
      ClassName subtype;
      @Nullable List<String> value;
      if (component != null) {
        subtype = (ClassName) componentType(component);
        value =
            property == null
                ? null
                : valuesOf(
                    valuesByComponent,
                    component,
                    Schemas.mergeAllOf(components.schema(component).orElse(alternative)),
                    property);
      } else {
        JsonNode merged = Schemas.mergeAllOf(alternative);
        String constant =
            property == null ? null : Schemas.constant(merged.path("properties").path(property));
        value = constant == null ? null : List.of(constant);
        String title = Schemas.text(merged, "title");
        String suggestion =
            title != null
                ? Names.upperCamel(title)
                : constant != null ? Names.upperCamel(constant) : "Variant" + (i + 1);
        subtype = node.nestedName(suggestion);
        declareRecord(merged, subtype, node);
      }
      if (subtypes.contains(subtype)) {
        // Two alternatives with the same structure are one record (Components names structures), so
        // they
        // cannot be told apart anyway: permit and list it once.
        continue;
      }
      Objects.requireNonNull(nodes.get(subtype))
          .builder
          .addSuperinterface(type); // componentType declared it
      b.addPermittedSubclass(subtype);
      subtypes.add(subtype);
      values.add(value);
    }
    boolean byName = property != null && !values.contains(null);
    AnnotationSpec.Builder info = AnnotationSpec.builder(Types.JSON_TYPE_INFO);
    if (byName) {
      info.addMember("use", "$T.Id.NAME", Types.JSON_TYPE_INFO)
          .addMember("include", "$T.As.EXISTING_PROPERTY", Types.JSON_TYPE_INFO)
          .addMember("property", "$S", property)
          .addMember("visible", "true");
    } else {
      info.addMember("use", "$T.Id.DEDUCTION", Types.JSON_TYPE_INFO);
    }
    b.addAnnotation(info.build());
    AnnotationSpec.Builder subTypes = AnnotationSpec.builder(Types.JSON_SUB_TYPES);
    for (int i = 0; i < subtypes.size(); i++) {
      AnnotationSpec.Builder t =
          AnnotationSpec.builder(Types.JSON_SUB_TYPES.nestedClass("Type"))
              .addMember("value", "$T.class", subtypes.get(i));
      List<String> names = values.get(i);
      if (byName && names != null) {
        names(t, names);
      }
      subTypes.addMember("value", "$L", t.build());
    }
    b.addAnnotation(subTypes.build());
  }

  /** The discriminator's {@code mapping} as values by the component each names, in order. */
  private static Map<String, List<String>> mappedValues(JsonNode discriminator) {
    Map<String, List<String>> values = new LinkedHashMap<>();
    discriminator
        .path("mapping")
        .fields()
        .forEachRemaining(
            e -> {
              String target = Components.refName(e.getValue().asText());
              values
                  .computeIfAbsent(
                      target != null ? target : e.getValue().asText(), k -> new ArrayList<>())
                  .add(e.getKey());
            });
    return values;
  }

  /**
   * A member's discriminating values, by the rule the runtime validates with: the mapping's keys
   * that name it; else what its own discriminating property allows ({@code const}, {@code enum});
   * else its component name (the implicit mapping).
   */
  private static List<String> valuesOf(
      Map<String, List<String>> mapped, String component, JsonNode member, String property) {
    List<String> values = mapped.get(component);
    if (values != null) {
      return values;
    }
    JsonNode own = member.path("properties").path(property);
    List<String> declared = new ArrayList<>();
    if (own.path("const").isTextual()) {
      declared.add(own.get("const").textValue());
    }
    own.path("enum")
        .forEach(
            v -> {
              if (v.isTextual()) {
                declared.add(v.textValue());
              }
            });
    return declared.isEmpty() ? List.of(component) : declared;
  }

  /** One name as {@code name = "a"}, several as {@code names = {"a", "b"}}. */
  private static AnnotationSpec.Builder names(AnnotationSpec.Builder type, List<String> values) {
    if (values.size() == 1) {
      return type.addMember("name", "$S", values.get(0));
    }
    values.forEach(v -> type.addMember("names", "$S", v));
    return type;
  }
}
