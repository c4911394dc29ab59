/**
 * The benchmark harness: end-to-end load against the real server on loopback, the bare-HTTP limits
 * beside it, the store at a million waiting invocations, and JMH for the hot paths. Run through
 * {@code scripts/bench}.
 */
@NullMarked
package dev.extsvc.bench;

import org.jspecify.annotations.NullMarked;
