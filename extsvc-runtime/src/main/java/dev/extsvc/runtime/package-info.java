/**
 * The runtime: {@link dev.extsvc.runtime.ExternalServices} invokes registered operations, writes callback URLs
 * into asynchronous calls, receives the callbacks through the framework-neutral
 * {@link dev.extsvc.runtime.CallbackReceiver} and runs the handlers.
 */
@NullMarked
package dev.extsvc.runtime;

import org.jspecify.annotations.NullMarked;
