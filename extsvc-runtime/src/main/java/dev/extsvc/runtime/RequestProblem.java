package dev.extsvc.runtime;

/**
 * One way a request breaks its operation's declaration, found before anything is sent.
 *
 * @param pointer where, as a JSON pointer into the request's JSON form ({@code
 *     {"query":..,"headers":..,"path":..,"body":..}}): "/body/applicant/name", "/query/limit",
 *     "/path/applicationNumber"
 * @param message what, e.g. "required property 'name' not found"
 */
public record RequestProblem(String pointer, String message) {
  @Override
  public String toString() {
    return pointer + ": " + message;
  }
}
