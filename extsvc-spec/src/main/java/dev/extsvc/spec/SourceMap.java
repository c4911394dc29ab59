package dev.extsvc.spec;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * Where each JSON pointer of a document starts (1-based line), read once with Jackson's streaming parser, which
 * reports token locations for JSON and YAML alike. A member's line is the line of its name.
 */
final class SourceMap {
  private final Map<String, Integer> lines;

  private SourceMap(Map<String, Integer> lines) {
    this.lines = lines;
  }

  static SourceMap empty() {
    return new SourceMap(Map.of());
  }

  /** Reads the document; it must already be known to parse. */
  static SourceMap of(String text, JsonFactory factory) throws IOException {
    Map<String, Integer> lines = new HashMap<>();
    Deque<Frame> open = new ArrayDeque<>();
    try (JsonParser p = factory.createParser(text)) {
      for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
        int line = p.currentTokenLocation().getLineNr();
        switch (t) {
          case FIELD_NAME -> {
            Frame frame = open.element();
            frame.member = JsonPointers.append(frame.pointer, p.currentName());
            lines.putIfAbsent(frame.member, line);
          }
          case START_OBJECT, START_ARRAY -> {
            String pointer = valuePointer(open);
            lines.putIfAbsent(pointer, line);
            open.push(new Frame(pointer, t == JsonToken.START_ARRAY));
          }
          case END_OBJECT, END_ARRAY -> open.pop();
          default -> lines.putIfAbsent(valuePointer(open), line);
        }
      }
    }
    return new SourceMap(lines);
  }

  private static String valuePointer(Deque<Frame> open) {
    Frame frame = open.peek();
    if (frame == null) {
      return "";
    }
    return frame.array ? frame.pointer + "/" + frame.nextIndex++ : frame.member;
  }

  /** The line of {@code pointer}, or of its nearest ancestor present in the document; 0 when unknown. */
  int line(String pointer) {
    String p = pointer;
    while (true) {
      Integer line = lines.get(p);
      if (line != null) {
        return line;
      }
      if (p.isEmpty()) {
        return 0;
      }
      p = p.substring(0, p.lastIndexOf('/'));
    }
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
