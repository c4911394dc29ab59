package dev.extsvc.spec;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What a runtime expression is evaluated against: the request as sent, and the response when there
 * is one ({@code statusCode} 0 and no headers or body before it).
 */
public record ExpressionContext(
    String url,
    String method,
    RequestParts request,
    int statusCode,
    Map<String, String> responseHeaders,
    @Nullable JsonNode responseBody) {

  public static ExpressionContext ofRequest(String url, String method, RequestParts request) {
    return new ExpressionContext(url, method, request, 0, Map.of(), null);
  }
}
