package dev.extsvc.runtime.store;

/**
 * One business value of an invocation that ties callbacks of a key to it (correlation).
 *
 * @param operation the invocation's operation
 * @param key the callback key the value is for
 * @param value the value as text, as the rule's invocation expression gave it
 */
public record CorrelationValue(String operation, String key, String value) {}
