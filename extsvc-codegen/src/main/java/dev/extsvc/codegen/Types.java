package dev.extsvc.codegen;

import com.palantir.javapoet.AnnotationSpec;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.TypeName;

/** The library types generated code refers to, named once. */
final class Types {
  private Types() {}

  static final ClassName STRING = ClassName.get(String.class);
  static final ClassName OBJECTS = ClassName.get("java.util", "Objects");
  static final ClassName LIST = ClassName.get("java.util", "List");
  static final ClassName MAP = ClassName.get("java.util", "Map");
  static final ClassName UUID = ClassName.get("java.util", "UUID");
  static final ClassName INSTANT = ClassName.get("java.time", "Instant");
  static final ClassName DURATION = ClassName.get("java.time", "Duration");

  static final ClassName NULLABLE = ClassName.get("org.jspecify.annotations", "Nullable");

  private static final String JACKSON_ANNOTATION = "com.fasterxml.jackson.annotation";
  static final ClassName JSON_PROPERTY = ClassName.get(JACKSON_ANNOTATION, "JsonProperty");
  static final ClassName JSON_INCLUDE = ClassName.get(JACKSON_ANNOTATION, "JsonInclude");
  static final ClassName JSON_INCLUDE_KIND = JSON_INCLUDE.nestedClass("Include");
  static final ClassName JSON_IGNORE_PROPERTIES =
      ClassName.get(JACKSON_ANNOTATION, "JsonIgnoreProperties");
  static final ClassName JSON_VALUE = ClassName.get(JACKSON_ANNOTATION, "JsonValue");
  static final ClassName JSON_CREATOR = ClassName.get(JACKSON_ANNOTATION, "JsonCreator");
  static final ClassName JSON_ANY_SETTER = ClassName.get(JACKSON_ANNOTATION, "JsonAnySetter");
  static final ClassName JSON_ANY_GETTER = ClassName.get(JACKSON_ANNOTATION, "JsonAnyGetter");
  static final ClassName JSON_TYPE_INFO = ClassName.get(JACKSON_ANNOTATION, "JsonTypeInfo");
  static final ClassName JSON_SUB_TYPES = ClassName.get(JACKSON_ANNOTATION, "JsonSubTypes");

  private static final String DATABIND = "com.fasterxml.jackson.databind";
  static final ClassName JSON_NODE = ClassName.get(DATABIND, "JsonNode");
  static final ClassName OBJECT_MAPPER = ClassName.get(DATABIND, "ObjectMapper");
  static final ClassName JSON_MAPPER = ClassName.get(DATABIND + ".json", "JsonMapper");
  static final ClassName SERIALIZATION_FEATURE = ClassName.get(DATABIND, "SerializationFeature");
  static final ClassName DESERIALIZATION_FEATURE =
      ClassName.get(DATABIND, "DeserializationFeature");
  static final ClassName TYPE_REFERENCE =
      ClassName.get("com.fasterxml.jackson.core.type", "TypeReference");
  static final ClassName JAVA_TIME_MODULE =
      ClassName.get("com.fasterxml.jackson.datatype.jsr310", "JavaTimeModule");

  private static final String RUNTIME = "dev.extsvc.runtime";
  static final ClassName EXTERNAL_SERVICES = ClassName.get(RUNTIME, "ExternalServices");
  static final ClassName INVOCATION_RESULT = ClassName.get(RUNTIME, "InvocationResult");
  static final ClassName CALLBACK_HANDLER = ClassName.get(RUNTIME, "CallbackHandler");
  static final ClassName RECEIVED_CALLBACK = ClassName.get(RUNTIME, "ReceivedCallback");
  static final ClassName CALLBACK_NOT_HANDLED =
      ClassName.get(RUNTIME, "CallbackNotHandledException");
  static final ClassName TIMED_OUT_INVOCATION = ClassName.get(RUNTIME, "TimedOutInvocation");
  static final ClassName EXTSVC_EXCEPTION = ClassName.get(RUNTIME, "ExtsvcException");
  static final ClassName INVOCATION_STATUS = ClassName.get(RUNTIME + ".store", "InvocationStatus");
  static final ClassName REQUEST_PARTS = ClassName.get("dev.extsvc.spec", "RequestParts");

  /**
   * The type with JSpecify's {@code @Nullable} (a type-use annotation, so "Outer.@Nullable Inner").
   */
  static TypeName nullable(TypeName type) {
    return type.annotated(AnnotationSpec.builder(NULLABLE).build());
  }
}
