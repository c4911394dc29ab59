package dev.extsvc.server.logging;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * Rewrites {@code CALLBACK_PATH/TOKEN} to {@code CALLBACK_PATH/***} in any text, for every callback
 * path a server in this process serves ({@code /callbacks} always): a request line, a URL or an
 * exception message that reaches a log then shows where the request went, never the token that
 * would let anyone complete the invocation. The percent-encoded form ({@code %2Fcallbacks%2F}) is
 * masked too. Every segment under the path is masked, also one that is not a real token: the log
 * cannot tell them apart.
 *
 * <p>{@link #maskCallbackPath} also installs {@link CallbackTokenMask} into Logback when Logback is
 * the SLF4J binding, so that an embedding application's own logback.xml need not name it.
 */
public final class LogMask {
  /** The replacement of a token. */
  public static final String MASK = "***";

  private static final String DEFAULT_PATH = "/callbacks";
  private static final List<Rule> RULES = new CopyOnWriteArrayList<>();

  static {
    RULES.add(Rule.of(DEFAULT_PATH));
  }

  private LogMask() {}

  /**
   * Masks tokens under {@code callbackPath} from now on (in addition to {@code /callbacks}), and
   * makes sure Logback applies the mask.
   */
  public static void maskCallbackPath(String callbackPath) {
    addPath(callbackPath);
    installIntoLogback();
  }

  /** Masks tokens under {@code callbackPath} from now on. */
  static void addPath(String callbackPath) {
    String path = normalize(callbackPath);
    synchronized (RULES) {
      if (RULES.stream().noneMatch(r -> r.path.equals(path))) {
        RULES.add(Rule.of(path));
      }
    }
  }

  /** Whether {@code text} holds something to mask (cheap: a plain search, no regex). */
  public static boolean touches(String text) {
    for (Rule r : RULES) {
      if (text.contains(r.plain) || r.mayBeEncoded(text)) {
        return true;
      }
    }
    return false;
  }

  /** {@code text} with every token under a masked callback path replaced by {@value #MASK}. */
  public static String mask(String text) {
    if (!touches(text)) {
      return text;
    }
    String out = text;
    for (Rule r : RULES) {
      out = r.apply(out);
    }
    return out;
  }

  /**
   * Adds {@link CallbackTokenMask} to Logback's context unless one is there: only when Logback is
   * the binding (checked by name, so that this class loads without Logback).
   */
  static void installIntoLogback() {
    ILoggerFactory factory = LoggerFactory.getILoggerFactory();
    if (factory.getClass().getName().equals("ch.qos.logback.classic.LoggerContext")) {
      CallbackTokenMask.installInto(factory);
    }
  }

  private static String normalize(String callbackPath) {
    String p = callbackPath.strip();
    while (p.length() > 1 && p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    return p.startsWith("/") ? p : "/" + p;
  }

  /** One callback path: its plain and percent-encoded forms. */
  private record Rule(
      String path, String plain, String encoded, Pattern plainPattern, Pattern encodedPattern) {
    static Rule of(String path) {
      String plain = path + "/";
      String encoded = plain.replace("/", "%2F");
      // The token segment: anything up to the next separator; a "{" starts the stored masked form
      // ("{token sha256:...}"), which is no token and stays.
      return new Rule(
          path,
          plain,
          encoded,
          Pattern.compile(Pattern.quote(plain) + "(?!\\{)[^/\\s?#&\"'<>;,)\\]}]+"),
          Pattern.compile(
              Pattern.quote(encoded) + "(?!%7B)[^/\\s?#&\"'<>;,)\\]}%]+",
              Pattern.CASE_INSENSITIVE));
    }

    boolean mayBeEncoded(String text) {
      return text.contains("%2")
          && text.toUpperCase(Locale.ROOT).contains(encoded.toUpperCase(Locale.ROOT));
    }

    String apply(String text) {
      String out = text;
      if (out.contains(plain)) {
        out = plainPattern.matcher(out).replaceAll(Matcher.quoteReplacement(plain + MASK));
      }
      if (mayBeEncoded(out)) {
        out = encodedPattern.matcher(out).replaceAll(Matcher.quoteReplacement(encoded + MASK));
      }
      return out;
    }
  }
}
