package dev.extsvc.runtime.registry;

import dev.extsvc.runtime.support.PayloadValidator;
import dev.extsvc.spec.CallbackDefinition;
import dev.extsvc.spec.CallbackRole;
import dev.extsvc.spec.InjectionTarget;
import dev.extsvc.spec.Operation;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One operation compiled once for every invocation: the distinct places to write callback URLs
 * (keys sharing a place share a URL) and the callback body validators, compiled at registration.
 */
public final class OperationPlan {
  private final Operation operation;
  private final List<Target> targets;
  private final Map<CallbackDefinition, PayloadValidator> validators;
  private final Map<String, CallbackRole> roles;

  /** A place in the request and the keys whose URL goes there. */
  public record Target(InjectionTarget target, List<String> keys) {}

  private OperationPlan(
      Operation operation,
      List<Target> targets,
      Map<CallbackDefinition, PayloadValidator> validators,
      Map<String, CallbackRole> roles) {
    this.operation = operation;
    this.targets = targets;
    this.validators = validators;
    this.roles = roles;
  }

  /**
   * @param configuredRoles roles configured for this operation's keys, by key; they override the
   *     document's
   */
  static OperationPlan compile(
      Operation operation,
      Map<CallbackDefinition, PayloadValidator> validators,
      Map<String, CallbackRole> configuredRoles) {
    Map<String, List<String>> keysByTarget = new LinkedHashMap<>();
    Map<String, InjectionTarget> targetsById = new LinkedHashMap<>();
    for (CallbackDefinition def : operation.callbacks()) {
      InjectionTarget target = def.target();
      if (target == null || !def.awaitable()) {
        continue;
      }
      targetsById.putIfAbsent(target.id(), target);
      List<String> keys = keysByTarget.computeIfAbsent(target.id(), id -> new ArrayList<>());
      if (!keys.contains(def.key())) {
        keys.add(def.key());
      }
    }
    List<Target> targets = new ArrayList<>();
    keysByTarget.forEach(
        (id, keys) ->
            targets.add(
                new Target(Objects.requireNonNull(targetsById.get(id)), List.copyOf(keys))));
    // Looked up by identity: the definitions a callback is matched against are these very objects.
    Map<CallbackDefinition, PayloadValidator> own = new IdentityHashMap<>();
    for (CallbackDefinition def : operation.callbacks()) {
      PayloadValidator v = validators.get(def);
      if (v != null) {
        own.put(def, v);
      }
    }
    // Only the keys that are not final are kept: an operation without any is handled as before,
    // one callback completing it.
    Map<String, CallbackRole> roles = new LinkedHashMap<>();
    for (CallbackDefinition def : operation.callbacks()) {
      CallbackRole role = configuredRoles.getOrDefault(def.key(), def.role());
      if (!role.finalKey()) {
        roles.put(def.key(), role);
      }
    }
    return new OperationPlan(
        operation,
        List.copyOf(targets),
        Collections.unmodifiableMap(own),
        Collections.unmodifiableMap(roles));
  }

  /** The role of a callback key: final unless the document or the configuration says otherwise. */
  public CallbackRole role(String key) {
    return roles.getOrDefault(key, CallbackRole.FINAL);
  }

  /** The keys that are not final (progress and heartbeat keys) with their roles; often empty. */
  public Map<String, CallbackRole> progressKeys() {
    return roles;
  }

  public Operation operation() {
    return operation;
  }

  public boolean async() {
    return operation.async();
  }

  public List<Target> targets() {
    return targets;
  }

  /** The awaitable definitions of these keys at this target, in declaration order. */
  public List<CallbackDefinition> definitions(String targetId, List<String> keys) {
    return operation.callbacks().stream()
        .filter(d -> d.awaitable() && d.target() != null && d.target().id().equals(targetId))
        .filter(d -> keys.contains(d.key()))
        .toList();
  }

  /** The body validator of an awaitable definition with a body schema. */
  public Optional<PayloadValidator> validator(CallbackDefinition def) {
    return Optional.ofNullable(validators.get(def));
  }
}
