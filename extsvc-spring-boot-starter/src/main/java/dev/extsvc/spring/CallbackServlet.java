package dev.extsvc.spring;

import dev.extsvc.runtime.CallbackReceiver;
import dev.extsvc.runtime.CallbackRequest;
import dev.extsvc.runtime.CallbackResponse;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The callback endpoint on the application's own servlet container, mounted at {@code extsvc.callback-path}: hands
 * what follows the path to the framework-neutral {@link CallbackReceiver} and writes its answer. A plain servlet
 * rather than an MVC controller: the receiver wants the raw bytes, read under its size limit, and answers
 * every method itself (405 included).
 */
final class CallbackServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;

  private final transient CallbackReceiver receiver;
  private final transient CallbackObserver observer;

  CallbackServlet(CallbackReceiver receiver, CallbackObserver observer) {
    this.receiver = receiver;
    this.observer = observer;
  }

  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (String name : Collections.list(request.getHeaderNames())) {
      headers.put(name, Collections.list(request.getHeaders(name)));
    }
    String path = request.getPathInfo() == null ? "" : request.getPathInfo();
    CallbackResponse answer = receiver.handle(new CallbackRequest(request.getMethod(), path, headers,
        readBounded(request.getInputStream(), receiver.limits().maxBodyBytes()), request.getRemoteAddr()));
    observer.answered(answer.status());
    response.setStatus(answer.status());
    answer.headers().forEach(response::setHeader);
    byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
    response.setContentType("application/json");
    response.setContentLength(body.length);
    response.getOutputStream().write(body);
  }

  /** The body, or null as soon as it exceeds the limit (the receiver answers 413), chunked bodies included. */
  private static byte @org.jspecify.annotations.Nullable [] readBounded(InputStream in, long limit) throws IOException {
    var out = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    for (int n; (n = in.read(buffer)) != -1; ) {
      if (out.size() + (long) n > limit) {
        return null;
      }
      out.write(buffer, 0, n);
    }
    return out.toByteArray();
  }
}
