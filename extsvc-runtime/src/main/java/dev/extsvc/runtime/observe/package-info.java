/**
 * What operators see of the stages: spans through the OpenTelemetry API ({@link
 * dev.extsvc.runtime.observe.Tracing}) and Micrometer meters ({@link
 * dev.extsvc.runtime.observe.Meters}, the store's latency through {@link
 * dev.extsvc.runtime.observe.MeteredStore}). Both are given to every stage by the builder; both
 * cost next to nothing when nothing is configured. Not an API.
 */
@NullMarked
package dev.extsvc.runtime.observe;

import org.jspecify.annotations.NullMarked;
