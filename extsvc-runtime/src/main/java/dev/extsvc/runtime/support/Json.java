package dev.extsvc.runtime.support;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.core.util.BufferRecycler;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.core.util.RecyclerPool;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.jspecify.annotations.Nullable;

/** The runtime's Jackson configuration, and a bounded parser for untrusted bodies. */
public final class Json {
  /**
   * Jackson's buffers, shared by all threads. Its default pool keeps them per thread, but requests,
   * handler runs and timeout hooks each run on a new virtual thread, which would allocate fresh
   * buffers (some KB) for every parse and every write.
   */
  private static final RecyclerPool<BufferRecycler> BUFFERS =
      JsonRecyclerPools.sharedConcurrentDequePool();

  /** For trusted JSON (our own store, our own API answers). */
  public static final ObjectMapper MAPPER =
      JsonMapper.builder(JsonFactory.builder().recyclerPool(BUFFERS).build())
          .addModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .build();

  /**
   * Handlers' stored state: field-based, so that a handler's state is its fields, whatever getters
   * it has.
   */
  public static final ObjectMapper HANDLER_STATE =
      JsonMapper.builder(JsonFactory.builder().recyclerPool(BUFFERS).build())
          .addModule(new JavaTimeModule())
          .visibility(PropertyAccessor.ALL, JsonAutoDetect.Visibility.NONE)
          .visibility(PropertyAccessor.FIELD, JsonAutoDetect.Visibility.ANY)
          .visibility(PropertyAccessor.CREATOR, JsonAutoDetect.Visibility.ANY)
          .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .build();

  private Json() {}

  /**
   * {"message": "..."}, as Jackson writes it (the same escapes), without building a tree and a
   * writer for every answer: each callback's answer is one.
   */
  public static String message(@Nullable String message) {
    if (message == null) {
      return "{\"message\":null}";
    }
    return "{\"message\":\""
        + new String(JsonStringEncoder.getInstance().quoteAsString(message))
        + "\"}";
  }

  public static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON: " + e.getOriginalMessage(), e);
    }
  }

  public static JsonNode readTrusted(String json) {
    try {
      return MAPPER.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A mapper for untrusted input: bounded depth, number and string length, duplicate keys refused,
   * trailing tokens refused.
   */
  public static ObjectMapper untrusted(int maxDepth, int maxNumberLength, int maxStringLength) {
    JsonFactory factory =
        JsonFactory.builder()
            .recyclerPool(BUFFERS)
            .streamReadConstraints(
                StreamReadConstraints.builder()
                    .maxNestingDepth(maxDepth)
                    .maxNumberLength(maxNumberLength)
                    .maxStringLength(maxStringLength)
                    .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    return JsonMapper.builder(factory)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .disable(JsonParser.Feature.ALLOW_COMMENTS)
        .build();
  }
}
