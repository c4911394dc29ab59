package dev.extsvc.server.console;

import com.fasterxml.jackson.databind.JsonNode;
import dev.extsvc.runtime.store.CallbackOutcome;
import dev.extsvc.runtime.store.EventKind;
import dev.extsvc.runtime.store.InvocationStatus;
import dev.extsvc.server.Json;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Text the templates show: times in UTC, durations, pretty JSON, badge colours. Escaping is the
 * templates' job.
 */
final class Format {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter CLOCK =
      DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter MINUTE =
      DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneOffset.UTC);
  // Stored requests carry masked URLs already; this catches a live token that reached any text we
  // show. A token
  // is a whole path segment of 43 base64url characters, matched under any path: the callback path
  // is configurable
  // (callbackPath), and a token of another runtime's path is just as secret.
  private static final Pattern LIVE_TOKEN =
      Pattern.compile("(?<=/)[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])");

  /**
   * A qualified exception class with the ": " before its message ("java.lang.IllegalStateException:
   * "), or at the end of the text without one; group 2 is the separator when there is a message.
   */
  private static final Pattern EXCEPTION_CLASS =
      Pattern.compile(
          "\\b(?:[a-z_$][\\w$]*\\.)+([A-Z][\\w$]*(?:Exception|Error|Failure|Throwable))(:\\s+|$)");

  private Format() {}

  static String time(@Nullable Instant t) {
    return t == null ? "—" : TIME.format(t);
  }

  /** For a title on hover: "2026-03-01T10:15:30.123Z". */
  static String iso(@Nullable Instant t) {
    return t == null ? "" : DateTimeFormatter.ISO_INSTANT.format(t);
  }

  static String clock(Instant t) {
    return CLOCK.format(t);
  }

  static String minute(Instant t) {
    return MINUTE.format(t);
  }

  /** "3 min ago" or "in 2 h 5 min". */
  static String relative(Instant t, Instant now) {
    Duration d = Duration.between(now, t);
    return d.isNegative() ? span(d.negated()) + " ago" : "in " + span(d);
  }

  /** A coarse, readable length: "850 ms", "12 s", "4 min 3 s", "2 h 5 min", "3 d 1 h". */
  static String span(Duration d) {
    long ms = d.toMillis();
    if (ms < 1000) {
      return ms + " ms";
    }
    long s = d.toSeconds();
    if (s < 60) {
      return s + " s";
    }
    if (s < 3600) {
      return s / 60 + " min" + (s % 60 == 0 ? "" : " " + s % 60 + " s");
    }
    if (s < 86_400) {
      return s / 3600 + " h" + (s % 3600 / 60 == 0 ? "" : " " + s % 3600 / 60 + " min");
    }
    return s / 86_400 + " d" + (s % 86_400 / 3600 == 0 ? "" : " " + s % 86_400 / 3600 + " h");
  }

  static String between(Instant from, Instant to) {
    return "+" + span(Duration.between(from, to));
  }

  /** JSON indented when it parses, the text as it is otherwise; live tokens masked either way. */
  static String pretty(@Nullable String text) {
    if (text == null || text.isBlank()) {
      return "";
    }
    String out;
    try {
      JsonNode node = Json.MAPPER.readTree(text);
      out =
          node == null
              ? text
              : Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(node);
    } catch (IOException e) {
      out = text;
    }
    return mask(out);
  }

  static String mask(@Nullable String text) {
    return text == null ? "" : LIVE_TOKEN.matcher(text).replaceAll("{token hidden}");
  }

  static String shortId(Object id) {
    String s = id.toString();
    return s.substring(0, 8) + "…" + s.substring(s.length() - 4);
  }

  static String truncate(@Nullable String s, int max) {
    if (s == null) {
      return "";
    }
    return s.length() <= max ? s : s.substring(0, max - 1) + "…";
  }

  /**
   * An error as people read it: exception classes left out where a message follows ("Handler X
   * failed on key: java.lang.IllegalStateException: database is down" → "Handler X failed on key:
   * database is down"), a class without a message as its simple name. The whole text goes in the
   * title.
   */
  static String reason(@Nullable String error) {
    if (error == null) {
      return "";
    }
    Matcher m = EXCEPTION_CLASS.matcher(error);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String separator = m.group(2);
      String simpleName = m.group(1);
      boolean atEnd = separator == null || separator.isEmpty();
      m.appendReplacement(
          out, atEnd && simpleName != null ? Matcher.quoteReplacement(simpleName) : "");
    }
    m.appendTail(out);
    return out.toString();
  }

  static String badge(InvocationStatus status) {
    return "badge badge-" + status.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }

  static String badge(CallbackOutcome outcome) {
    return "badge badge-"
        + switch (outcome) {
          case HANDLED -> "completed";
          case RECEIVED -> "pending";
          case NOT_HANDLED -> "cancelled";
          case FAILED -> "failed";
        };
  }

  /** Event kinds: failures red, endings coloured as their status, the rest neutral. */
  static String eventClass(EventKind kind) {
    return switch (kind) {
      case HANDLER_FAILED, CALLBACK_REJECTED, CALLBACK_LATE -> "ev ev-bad";
      case COMPLETED, HANDLER_OK, CALLBACK_RECORDED -> "ev ev-good";
      case TIMED_OUT, HANDLER_SUPERSEDED -> "ev ev-warn";
      case CANCELLED -> "ev ev-muted";
      case CALLBACK_RECEIVED, CALLBACK_RETRY, CALLBACK_DUPLICATE, DEADLINE_EXTENDED -> "ev ev-info";
      case SUBMITTED,
          CALLBACK_URL,
          CALLOUT,
          CALLBACK_RECOVERED,
          CALLBACK_DEAD,
          HANDLER_NOT_HANDLED,
          HANDLER_SLOW ->
          "ev";
    };
  }

  static String answerMeaning(@Nullable Integer code) {
    if (code == null) {
      return "not answered yet";
    }
    return switch (code) {
      case 200 -> "Callback handled";
      case 404 -> "Not handled";
      case 408 -> "Callback timeout reached";
      case 500 -> "Callback handler failed";
      case 503 -> "Retry later";
      default -> "";
    };
  }
}
