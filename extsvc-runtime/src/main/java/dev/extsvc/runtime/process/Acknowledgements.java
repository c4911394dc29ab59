package dev.extsvc.runtime.process;

import dev.extsvc.runtime.Acknowledgement;
import java.util.Map;

/**
 * How callbacks are acknowledged, per service and per operation ("service#operation"); an
 * operation's setting wins over its service's, and {@link Acknowledgement#SYNC} is the default.
 */
public record Acknowledgements(Map<String, Acknowledgement> modes) {
  public Acknowledgements {
    modes = Map.copyOf(modes);
  }

  /** The key an operation's own setting is kept under. */
  public static String operationKey(String service, String operation) {
    return service + "#" + operation;
  }

  public Acknowledgement of(String service, String operation) {
    Acknowledgement byOperation = modes.get(operationKey(service, operation));
    return byOperation != null ? byOperation : modes.getOrDefault(service, Acknowledgement.SYNC);
  }

  public boolean durable(String service, String operation) {
    return of(service, operation) == Acknowledgement.DURABLE;
  }
}
