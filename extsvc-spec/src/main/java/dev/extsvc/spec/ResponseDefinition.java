package dev.extsvc.spec;

import com.fasterxml.jackson.databind.JsonNode;
import org.jspecify.annotations.Nullable;

/**
 * A declared response.
 *
 * @param status "201", "2XX" or "default"
 * @param example the media type's example (or first of its examples), else the schema's, else null
 */
public record ResponseDefinition(
    String status,
    @Nullable String description,
    @Nullable String mediaType,
    @Nullable JsonNode schema,
    @Nullable JsonNode example) {}
