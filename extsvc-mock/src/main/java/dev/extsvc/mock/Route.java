package dev.extsvc.mock;

import dev.extsvc.spec.Operation;
import dev.extsvc.spec.ServiceDefinition;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** An operation's path template compiled to a pattern, under the first server URL's path. */
record Route(Operation operation, Pattern pattern, List<String> pathParams) {
  private static final Pattern PARAM = Pattern.compile("\\{([^}/]+)}");

  static List<Route> all(ServiceDefinition service) {
    String prefix = prefix(service.servers().isEmpty() ? "/" : service.servers().get(0));
    List<Route> routes = new ArrayList<>();
    for (Operation op : service.operations()) {
      routes.add(compile(op, prefix));
    }
    return List.copyOf(routes);
  }

  private static Route compile(Operation op, String prefix) {
    StringBuilder regex = new StringBuilder(Pattern.quote(prefix));
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

  /** "/v1" for "https://api.example.com/v1/", "" for "/" or a server without a path. */
  static String prefix(String server) {
    String path;
    try {
      path = URI.create(server.replace("{", "").replace("}", "")).getPath();
    } catch (IllegalArgumentException e) {
      return "";
    }
    if (path == null) {
      return "";
    }
    return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
  }
}
