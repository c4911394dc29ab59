/**
 * Running handlers of stored callbacks: under a lease, with the outcome recorded, bounded for
 * synchronous answers, from the durable queue with retries, recovery and replay. Entry: {@link
 * dev.extsvc.runtime.process.CallbackWorker}. Not an API.
 */
@NullMarked
package dev.extsvc.runtime.process;

import org.jspecify.annotations.NullMarked;
