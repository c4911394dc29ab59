package dev.extsvc.spec;

import com.fasterxml.jackson.databind.JsonNode;
import org.jspecify.annotations.Nullable;

/**
 * A declared request body. {@code schema} is the fully resolved JSON Schema (no {@code $ref} left,
 * except for recursive schemas), ready for validation and code generation. {@code example} is the
 * media type's example (or first of its examples), else the schema's, else null.
 */
public record RequestBody(
    String mediaType, @Nullable JsonNode schema, boolean required, @Nullable JsonNode example) {}
