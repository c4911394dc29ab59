package dev.extsvc.spec;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Applies the correlation rules given outside a document to its operations: each rule's key becomes
 * awaitable by correlation, and the findings that said it could not be awaited are taken back (the
 * document's own {@code x-extsvc-correlation} is read with the key, in CallbackReader).
 */
final class Correlations {
  private Correlations() {}

  static List<Operation> apply(
      String service, List<Operation> operations, List<CorrelationRule> rules, Findings findings) {
    List<CorrelationRule> mine = rules.stream().filter(r -> r.service().equals(service)).toList();
    if (mine.isEmpty()) {
      return operations;
    }
    List<Operation> out = new ArrayList<>();
    Set<CorrelationRule> used = new HashSet<>();
    for (Operation op : operations) {
      List<CallbackDefinition> callbacks = new ArrayList<>();
      boolean changed = false;
      for (CallbackDefinition def : op.callbacks()) {
        CorrelationRule rule =
            mine.stream()
                .filter(r -> r.operation().equals(op.id()) && r.key().equals(def.key()))
                .findFirst()
                .orElse(null);
        if (rule == null) {
          callbacks.add(def);
          continue;
        }
        used.add(rule);
        changed = true;
        callbacks.add(def.withCorrelation(rule.correlation()));
        withdrawNotAwaitable(op, def, findings);
      }
      out.add(
          !changed
              ? op
              : new Operation(
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
    }
    for (CorrelationRule rule : mine) {
      if (!used.contains(rule)) {
        findings.warning(
            "/paths",
            "correlation rule for "
                + rule.operation()
                + "/"
                + rule.key()
                + " applies to nothing: the service has no such operation with that callback key");
      }
    }
    return out;
  }

  /** The "cannot be awaited" warnings of a key that a rule makes awaitable by correlation. */
  private static void withdrawNotAwaitable(
      Operation op, CallbackDefinition def, Findings findings) {
    if (!def.method().equals("POST") && !def.method().equals("PUT")) {
      return;
    }
    String keyPointer = JsonPointers.append(op.pointer() + "/callbacks", def.key());
    String expressionPointer = def.pointer().substring(0, def.pointer().lastIndexOf('/'));
    String cannot = "callback " + def.key() + " cannot be awaited: ";
    String never = "callback " + def.key() + " can never be awaited";
    findings.removeIf(
        d ->
            d.severity() == Severity.WARNING
                && (d.pointer().equals(expressionPointer) && d.message().startsWith(cannot)
                    || d.pointer().equals(keyPointer) && d.message().startsWith(never)));
  }
}
