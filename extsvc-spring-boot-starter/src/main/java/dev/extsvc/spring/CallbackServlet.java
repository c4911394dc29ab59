package dev.extsvc.spring;

import dev.extsvc.runtime.CallbackEndpoint;
import dev.extsvc.runtime.CallbackExchange;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The callback endpoint on the application's own servlet container, mounted at {@code
 * extsvc.callback-path}: the servlet glue to the shared {@link CallbackEndpoint}. A plain servlet
 * rather than an MVC controller: the receiver wants the raw bytes, read under its size limit, and
 * answers every method itself (405 included).
 */
final class CallbackServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;

  private final transient CallbackEndpoint endpoint;

  CallbackServlet(CallbackEndpoint endpoint) {
    this.endpoint = endpoint;
  }

  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    endpoint.serve(new Exchange(request, response)); // the runtime counts the answer
  }

  private record Exchange(HttpServletRequest request, HttpServletResponse response)
      implements CallbackExchange {
    @Override
    public String method() {
      return request.getMethod();
    }

    @Override
    public String rawPath() {
      return request
          .getRequestURI()
          .substring(request.getContextPath().length()); // not decoded, as sent
    }

    @Override
    public Map<String, List<String>> headers() {
      Map<String, List<String>> headers = new LinkedHashMap<>();
      for (String name : Collections.list(request.getHeaderNames())) {
        headers.put(name, Collections.list(request.getHeaders(name)));
      }
      return headers;
    }

    @Override
    public long contentLength() {
      return request.getContentLengthLong();
    }

    @Override
    public InputStream body() throws IOException {
      return request.getInputStream();
    }

    @Override
    public String remoteAddress() {
      return request.getRemoteAddr();
    }

    @Override
    public void respond(int status, Map<String, String> headers, byte[] body) throws IOException {
      response.setStatus(status);
      headers.forEach(response::setHeader);
      response.setContentLength(body.length);
      response.getOutputStream().write(body);
    }
  }
}
