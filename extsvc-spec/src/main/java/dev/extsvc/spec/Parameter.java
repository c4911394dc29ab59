package dev.extsvc.spec;

import com.fasterxml.jackson.databind.JsonNode;
import org.jspecify.annotations.Nullable;

/** A declared parameter of an operation or of a callback operation, with its schema as JSON. */
public record Parameter(
    String name,
    ParameterLocation in,
    boolean required,
    @Nullable JsonNode schema,
    @Nullable String description) {}
