package dev.extsvc.runtime.store;

import java.time.Instant;

/** A registered service document. Registering the same name again replaces it. */
public record ServiceRow(String name, String version, String document, Instant registeredAt) {}
