package dev.extsvc.spec;

import com.fasterxml.jackson.databind.JsonNode;
import org.jspecify.annotations.Nullable;

/**
 * A declared response.
 *
 * @param status "201", "2XX" or "default"
 */
public record ResponseDefinition(
    String status,
    @Nullable String description,
    @Nullable String mediaType,
    @Nullable JsonNode schema) {}
