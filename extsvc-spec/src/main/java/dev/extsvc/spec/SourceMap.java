package dev.extsvc.spec;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Where JSON pointers of a document start (1-based line), found with Jackson's streaming parser,
 * which reports token locations for JSON and YAML alike. A member's line is the line of its name.
 *
 * <p>Lines are looked up only for the pointers a report needs, in one pass that skips every subtree
 * no wanted pointer enters: mapping every pointer of a large document up front cost more than the
 * rest of registration.
 */
final class SourceMap {
  private final @Nullable String text;
  private final @Nullable JsonFactory factory;

  private SourceMap(@Nullable String text, @Nullable JsonFactory factory) {
    this.text = text;
    this.factory = factory;
  }

  static SourceMap empty() {
    return new SourceMap(null, null);
  }

  /** A map of the document; it must already be known to parse. */
  static SourceMap of(String text, JsonFactory factory) {
    return new SourceMap(text, factory);
  }

  /**
   * The line of {@code pointer}, or of its nearest ancestor present in the document; 0 when
   * unknown.
   */
  int line(String pointer) {
    return lines(Set.of(pointer)).getOrDefault(pointer, 0);
  }

  /** {@link #line(String)} of each pointer, in one pass over the document. */
  Map<String, Integer> lines(Collection<String> pointers) {
    Set<String> wanted = new HashSet<>();
    for (String pointer : pointers) {
      for (String p = pointer; wanted.add(p) && !p.isEmpty(); ) {
        p = p.substring(0, Math.max(p.lastIndexOf('/'), 0));
      }
    }
    Map<String, Integer> found =
        text == null || factory == null ? Map.of() : scan(text, factory, wanted);
    Map<String, Integer> out = new HashMap<>();
    for (String pointer : pointers) {
      out.put(pointer, nearest(found, pointer));
    }
    return out;
  }

  private static int nearest(Map<String, Integer> found, String pointer) {
    String p = pointer;
    while (true) {
      Integer line = found.get(p);
      if (line != null) {
        return line;
      }
      if (p.isEmpty()) {
        return 0;
      }
      p = p.substring(0, Math.max(p.lastIndexOf('/'), 0));
    }
  }

  private static Map<String, Integer> scan(String text, JsonFactory factory, Set<String> wanted) {
    Map<String, Integer> lines = new HashMap<>();
    Deque<Frame> open = new ArrayDeque<>();
    try (JsonParser p = factory.createParser(text)) {
      for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
        switch (t) {
          case FIELD_NAME -> {
            Frame frame = open.element();
            frame.member = JsonPointers.append(frame.pointer, p.currentName());
            if (wanted.contains(frame.member)) {
              lines.putIfAbsent(frame.member, p.currentTokenLocation().getLineNr());
            }
          }
          case START_OBJECT, START_ARRAY -> {
            String pointer = valuePointer(open);
            if (wanted.contains(pointer)) {
              lines.putIfAbsent(pointer, p.currentTokenLocation().getLineNr());
              open.push(new Frame(pointer, t == JsonToken.START_ARRAY));
            } else {
              p.skipChildren();
            }
          }
          case END_OBJECT, END_ARRAY -> open.pop();
          default -> {
            String pointer = valuePointer(open);
            if (wanted.contains(pointer)) {
              lines.putIfAbsent(pointer, p.currentTokenLocation().getLineNr());
            }
          }
        }
      }
    } catch (IOException e) {
      // the document parsed before; should it not now, lines are only a convenience
    }
    return lines;
  }

  private static String valuePointer(Deque<Frame> open) {
    Frame frame = open.peek();
    if (frame == null) {
      return "";
    }
    return frame.array ? frame.pointer + "/" + frame.nextIndex++ : frame.member;
  }

  /** An object or array being read. */
  private static final class Frame {
    final String pointer;
    final boolean array;
    int nextIndex;
    String member = "";

    Frame(String pointer, boolean array) {
      this.pointer = pointer;
      this.array = array;
    }
  }
}
