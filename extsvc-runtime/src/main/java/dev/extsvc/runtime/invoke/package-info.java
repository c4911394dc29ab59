/**
 * Invocations: callback URLs written into the request, the invocation persisted before the callout,
 * the callout through the service's {@code Outbound} (endpoint, address policy, credentials,
 * timeouts), the answer recorded. Entry: {@link dev.extsvc.runtime.invoke.Invoker}. Not an API.
 */
@NullMarked
package dev.extsvc.runtime.invoke;

import org.jspecify.annotations.NullMarked;
