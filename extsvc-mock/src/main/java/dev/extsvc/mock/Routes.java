package dev.extsvc.mock;

import dev.extsvc.spec.Operation;
import dev.extsvc.spec.ServiceDefinition;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the operation for a method and path. Paths match their templates exactly (no trailing-slash
 * leniency, as a real service would not be lenient either); a template with fewer parameters wins,
 * so "/a/latest" beats "/a/{id}".
 */
final class Routes {
  private final String prefix;
  private final List<Route> routes;

  Routes(ServiceDefinition service) {
    this.prefix = prefix(service.servers());
    List<Route> list = new ArrayList<>();
    for (Operation op : service.operations()) {
      list.add(Route.of(op));
    }
    list.sort(Comparator.comparingInt(r -> r.names().size()));
    this.routes = List.copyOf(list);
  }

  /** The outcome of a lookup. */
  sealed interface Lookup {}

  record Found(Operation operation, Map<String, String> pathParameters) implements Lookup {}

  record WrongMethod(Set<String> allowed) implements Lookup {}

  record NotFound() implements Lookup {}

  Lookup find(String method, String rawPath) {
    if (!rawPath.startsWith(prefix)) {
      return new NotFound();
    }
    String path = rawPath.substring(prefix.length());
    Set<String> allowed = new TreeSet<>();
    for (Route route : routes) {
      Matcher m = route.pattern().matcher(path);
      if (!m.matches()) {
        continue;
      }
      if (!route.operation().method().equalsIgnoreCase(method)) {
        allowed.add(route.operation().method());
        continue;
      }
      Map<String, String> params = new LinkedHashMap<>();
      for (int i = 0; i < route.names().size(); i++) {
        params.put(route.names().get(i), decode(m.group(i + 1)));
      }
      return new Found(route.operation(), params);
    }
    return allowed.isEmpty() ? new NotFound() : new WrongMethod(allowed);
  }

  String prefix() {
    return prefix;
  }

  /** The path of the first server URL ("/v1" of "https://bank.example/v1"); "" for "/" or none. */
  static String prefix(List<String> servers) {
    return ServiceDefinition.basePath(servers);
  }

  private static String decode(String raw) {
    // a path keeps '+' literally; only %XX escapes are decoded
    return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  /** An operation's path template compiled to a pattern with one group per parameter. */
  record Route(Operation operation, Pattern pattern, List<String> names) {
    private static final Pattern PARAM = Pattern.compile("\\{([^}/]+)}");

    static Route of(Operation op) {
      StringBuilder regex = new StringBuilder();
      List<String> names = new ArrayList<>();
      Matcher m = PARAM.matcher(op.path());
      int last = 0;
      while (m.find()) {
        regex.append(Pattern.quote(op.path().substring(last, m.start()))).append("([^/]+)");
        names.add(m.group(1));
        last = m.end();
      }
      regex.append(Pattern.quote(op.path().substring(last)));
      return new Route(op, Pattern.compile(regex.toString()), List.copyOf(names));
    }
  }
}
