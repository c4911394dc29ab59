package dev.extsvc.runtime.registry;

import dev.extsvc.runtime.support.PayloadValidator;
import dev.extsvc.spec.CallbackDefinition;
import dev.extsvc.spec.Diagnostic;
import dev.extsvc.spec.Operation;
import dev.extsvc.spec.Registration;
import dev.extsvc.spec.Report;
import dev.extsvc.spec.ServiceDefinition;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every callback body validator of a service compiled at registration, so that a schema the
 * validator cannot handle is a registration finding (a warning at the schema, the key no longer
 * awaitable) rather than a failure when the callback comes.
 *
 * @param definition the service, its keys with an unusable schema made not awaitable
 * @param validators by awaitable definition (identity), for those with a body schema
 * @param findings one warning per key whose schema cannot be validated
 */
public record PayloadChecks(
    ServiceDefinition definition,
    Map<CallbackDefinition, PayloadValidator> validators,
    List<Diagnostic> findings) {

  /** Compiles every awaitable callback's body schema of a registered service. */
  public static PayloadChecks of(ServiceDefinition service, boolean formatAssertions) {
    Map<CallbackDefinition, PayloadValidator> validators = new IdentityHashMap<>();
    List<Diagnostic> findings = new ArrayList<>();
    List<Operation> operations = new ArrayList<>();
    boolean changed = false;
    for (Operation op : service.operations()) {
      List<CallbackDefinition> callbacks = new ArrayList<>();
      boolean opChanged = false;
      for (CallbackDefinition def : op.callbacks()) {
        CallbackDefinition kept = def;
        var body = def.requestBody();
        if ((def.awaitable() || def.awaitableByCorrelation())
            && body != null
            && body.schema() != null) {
          try {
            PayloadValidator validator =
                PayloadValidator.compile(
                    body.schema(),
                    service.components(),
                    service.openApiVersion(),
                    formatAssertions);
            validators.put(def, validator);
          } catch (PayloadValidator.SchemaProblem problem) {
            String reason = "its body schema cannot be validated: " + problem.getMessage();
            findings.add(
                Diagnostic.warning(
                    def.pointer()
                        + "/requestBody/content/"
                        + body.mediaType().replace("~", "~0").replace("/", "~1")
                        + "/schema"
                        + problem.pointer(),
                    "callback "
                        + def.key()
                        + " ("
                        + def.method()
                        + ") cannot be awaited: "
                        + reason));
            kept = notAwaitable(def, reason);
            opChanged = true;
          }
        }
        callbacks.add(kept);
      }
      if (opChanged) {
        changed = true;
        operations.add(
            new Operation(
                op.id(),
                op.method(),
                op.path(),
                op.pointer(),
                op.summary(),
                op.description(),
                op.parameters(),
                op.requestBody(),
                op.responses(),
                callbacks));
      } else {
        operations.add(op);
      }
    }
    ServiceDefinition checked =
        !changed
            ? service
            : new ServiceDefinition(
                service.name(),
                service.version(),
                service.openApiVersion(),
                service.servers(),
                operations,
                service.document(),
                service.components());
    return new PayloadChecks(checked, validators, List.copyOf(findings));
  }

  /**
   * A registration with its callback body schemas checked: the keys whose schema cannot be
   * validated are not awaitable, with a warning each.
   */
  public static Registration check(Registration registration, boolean formatAssertions) {
    ServiceDefinition service = registration.service();
    if (service == null) {
      return registration;
    }
    PayloadChecks checks = of(service, formatAssertions);
    if (checks.findings().isEmpty()) {
      return registration;
    }
    List<Diagnostic> all = new ArrayList<>(registration.report().diagnostics());
    all.addAll(checks.findings());
    return new Registration(checks.definition(), new Report(all));
  }

  private static CallbackDefinition notAwaitable(CallbackDefinition def, String reason) {
    return new CallbackDefinition(
        def.key(),
        def.expression(),
        def.template(),
        def.method(),
        def.pointer(),
        null,
        def.literalSuffix(),
        reason,
        def.parameters(),
        def.requestBody(),
        def.responses(),
        def.description(),
        null, // nor by correlation: its body could not be checked at the shared address either
        def.role());
  }
}
