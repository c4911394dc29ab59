package dev.extsvc.spec;

import org.jspecify.annotations.Nullable;

/**
 * A place in an outgoing request where the runtime writes a callback URL, named by a callback key's
 * expression. Keys that name the same place share one target (and so one URL).
 */
public sealed interface InjectionTarget {

  /**
   * Writes {@code value} at this place; a body pointer creates missing objects and fills array
   * elements.
   */
  void inject(RequestParts request, String value);

  /**
   * Reads the value at this place, or null when absent (the mock uses this to find where to call
   * back).
   */
  @Nullable String read(RequestParts request);

  /** A stable identifier, e.g. "query:callbackUrl", "header:X-Callback", "path:id", "body:/a/b". */
  String id();

  /** For people: "query parameter callbackUrl", "request body at /a/b". */
  String describe();

  /** Parses {@link #id()} back. */
  static InjectionTarget fromId(String id) {
    return InjectionTargets.fromId(id);
  }

  record Query(String name) implements InjectionTarget {
    @Override
    public void inject(RequestParts request, String value) {
      request.query(name, value);
    }

    @Override
    public @Nullable String read(RequestParts request) {
      return request.firstQuery(name);
    }

    @Override
    public String id() {
      return "query:" + name;
    }

    @Override
    public String describe() {
      return "query parameter " + name;
    }
  }

  record Header(String name) implements InjectionTarget {
    @Override
    public void inject(RequestParts request, String value) {
      request.header(name, value);
    }

    @Override
    public @Nullable String read(RequestParts request) {
      return request.headers().get(name);
    }

    @Override
    public String id() {
      return "header:" + name;
    }

    @Override
    public String describe() {
      return "header " + name;
    }
  }

  record Path(String name) implements InjectionTarget {
    @Override
    public void inject(RequestParts request, String value) {
      request.pathParam(name, value);
    }

    @Override
    public @Nullable String read(RequestParts request) {
      return request.path().get(name);
    }

    @Override
    public String id() {
      return "path:" + name;
    }

    @Override
    public String describe() {
      return "path parameter " + name;
    }
  }

  /**
   * @param pointer a JSON pointer such as "/callbackUrlForOutcomes/approved" or "/hooks/0" or
   *     "/hooks/-"
   */
  record Body(String pointer) implements InjectionTarget {
    @Override
    public void inject(RequestParts request, String value) {
      InjectionTargets.injectBody(request, pointer, value);
    }

    @Override
    public @Nullable String read(RequestParts request) {
      return InjectionTargets.readBody(request, pointer);
    }

    @Override
    public String id() {
      return "body:" + pointer;
    }

    @Override
    public String describe() {
      return "request body at " + pointer;
    }
  }
}
