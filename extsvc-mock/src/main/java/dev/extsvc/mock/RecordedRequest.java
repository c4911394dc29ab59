package dev.extsvc.mock;

import java.util.List;
import java.util.Map;

/** A request the mock received, as it came (tests check where callback URLs were written). */
public record RecordedRequest(
    String operationId, String method, String path, Map<String, List<String>> query, Map<String, String> headers,
    String body) {}
