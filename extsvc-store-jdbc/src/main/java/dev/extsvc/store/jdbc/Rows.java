package dev.extsvc.store.jdbc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.extsvc.runtime.store.CallbackOutcome;
import dev.extsvc.runtime.store.CallbackRow;
import dev.extsvc.runtime.store.EventKind;
import dev.extsvc.runtime.store.EventRow;
import dev.extsvc.runtime.store.InvocationRow;
import dev.extsvc.runtime.store.InvocationStatus;
import dev.extsvc.runtime.store.NodeRow;
import dev.extsvc.runtime.store.ServiceRow;
import dev.extsvc.runtime.store.TokenRow;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Maps result rows to the store's records, and the two encodings that are ours: instants as epoch
 * microseconds (no time zone, no driver conversion) and token keys (a JSON array) and suffixes (a
 * JSON object).
 */
final class Rows {
  private static final long MICROS_PER_SECOND = 1_000_000L;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<List<String>> STRING_LIST = new TypeReference<>() {};
  private static final TypeReference<Map<String, String>> STRING_MAP = new TypeReference<>() {};

  private Rows() {}

  /** Epoch microseconds; anything finer than a microsecond is dropped. */
  static long micros(Instant instant) {
    return Math.addExact(
        Math.multiplyExact(instant.getEpochSecond(), MICROS_PER_SECOND), instant.getNano() / 1000);
  }

  static Instant instant(long micros) {
    return Instant.ofEpochSecond(
        Math.floorDiv(micros, MICROS_PER_SECOND), Math.floorMod(micros, MICROS_PER_SECOND) * 1000);
  }

  static String keysJson(List<String> keys) {
    try {
      return JSON.writeValueAsString(keys);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write callback keys " + keys, e);
    }
  }

  /** Distinct key lists kept parsed at most; the cache starts again when full. */
  static final int KEYS_CACHED = 1024;

  /**
   * Token keys read, by their stored JSON: every callback reads its token, and the tokens of an
   * operation share a handful of key lists, whose parse was about 2 % of a first delivery's CPU in
   * a profile. Immutable lists, so that sharing one is safe.
   */
  private static final Map<String, List<String>> KEYS = new ConcurrentHashMap<>();

  static List<String> keys(String json) {
    List<String> known = KEYS.get(json);
    if (known != null) {
      return known;
    }
    List<String> parsed;
    try {
      parsed = List.copyOf(JSON.readValue(json, STRING_LIST));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(
          "stored callback keys are not a JSON array of strings: " + json, e);
    }
    if (KEYS.size() >= KEYS_CACHED) {
      KEYS.clear();
    }
    KEYS.put(json, parsed);
    return parsed;
  }

  /** The suffixes as a JSON object, or null (SQL NULL) when there are none. */
  static @Nullable String suffixesJson(Map<String, String> suffixes) {
    if (suffixes.isEmpty()) {
      return null;
    }
    try {
      return JSON.writeValueAsString(suffixes);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write callback suffixes", e);
    }
  }

  static Map<String, String> suffixes(@Nullable String json) {
    if (json == null) {
      return Map.of();
    }
    try {
      return JSON.readValue(json, STRING_MAP);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(
          "stored callback suffixes are not a JSON object of strings", e);
    }
  }

  static ServiceRow service(ResultSet row) throws SQLException {
    return new ServiceRow(
        row.getString("name"),
        row.getString("version"),
        row.getString("document"),
        instantAt(row, "registered_at"));
  }

  static InvocationRow invocation(ResultSet row) throws SQLException {
    return new InvocationRow(
        uuid(row, "id"),
        row.getString("service"),
        row.getString("operation"),
        row.getBoolean("async"),
        InvocationStatus.valueOf(row.getString("status")),
        row.getString("reason"),
        row.getString("handler_type"),
        row.getString("handler_state"),
        row.getString("request"),
        nullableInt(row, "sync_status"),
        row.getString("sync_headers"),
        row.getString("sync_body"),
        instantAt(row, "submit_time"),
        instantAt(row, "deadline"),
        nullableInstant(row, "finished_at"),
        row.getString("trace_context"));
  }

  /**
   * A row of {@link Sql#TIMED_OUT_COLUMNS}, by position (a sweep maps thousands): the request
   * empty, the synchronous answer's headers and body null.
   */
  static InvocationRow timedOut(ResultSet row) throws SQLException {
    int syncStatus = row.getInt(9);
    boolean noSyncStatus = row.wasNull();
    long finished = row.getLong(12);
    boolean notFinished = row.wasNull();
    return new InvocationRow(
        UUID.fromString(row.getString(1)),
        row.getString(2),
        row.getString(3),
        row.getBoolean(4),
        InvocationStatus.valueOf(row.getString(5)),
        row.getString(6),
        row.getString(7),
        row.getString(8),
        "",
        noSyncStatus ? null : syncStatus,
        null,
        null,
        instant(row.getLong(10)),
        instant(row.getLong(11)),
        notFinished ? null : instant(finished),
        row.getString(13));
  }

  static TokenRow token(ResultSet row) throws SQLException {
    return new TokenRow(
        row.getBytes("token_hash"),
        uuid(row, "invocation_id"),
        row.getString("target"),
        keys(row.getString("callback_keys")),
        suffixes(row.getString("callback_suffixes")));
  }

  static CallbackRow callback(ResultSet row) throws SQLException {
    return new CallbackRow(
        uuid(row, "id"),
        uuid(row, "invocation_id"),
        row.getString("callback_key"),
        instantAt(row, "received_at"),
        row.getString("method"),
        row.getString("headers"),
        row.getString("body"),
        row.getString("dedup_key"),
        CallbackOutcome.valueOf(row.getString("outcome")),
        nullableInt(row, "answer_code"),
        row.getInt("attempts"),
        row.getString("error"),
        nullableInstant(row, "next_attempt_at"),
        nullableInstant(row, "dead_at"));
  }

  static NodeRow node(ResultSet row) throws SQLException {
    return new NodeRow(
        row.getString("id"),
        row.getString("host"),
        row.getString("version"),
        instantAt(row, "started_at"),
        instantAt(row, "heartbeat_at"));
  }

  static EventRow event(ResultSet row) throws SQLException {
    return new EventRow(
        row.getLong("id"),
        uuid(row, "invocation_id"),
        instantAt(row, "at"),
        EventKind.valueOf(row.getString("kind")),
        row.getString("message"));
  }

  /** Both dialects read back the canonical text form (PostgreSQL renders a uuid that way too). */
  static UUID uuid(ResultSet row, String column) throws SQLException {
    return UUID.fromString(row.getString(column));
  }

  static Instant instantAt(ResultSet row, String column) throws SQLException {
    return instant(row.getLong(column));
  }

  private static @Nullable Instant nullableInstant(ResultSet row, String column)
      throws SQLException {
    long micros = row.getLong(column);
    return row.wasNull() ? null : instant(micros);
  }

  private static @Nullable Integer nullableInt(ResultSet row, String column) throws SQLException {
    int value = row.getInt(column);
    return row.wasNull() ? null : value;
  }
}
