/**
 * The runtime's API: {@link dev.extsvc.runtime.ExternalServices} invokes registered operations,
 * writes callback URLs into asynchronous calls, receives the callbacks through the
 * framework-neutral {@link dev.extsvc.runtime.CallbackReceiver} and runs the handlers. With {@code
 * .credentials} and the store SPI {@code .store}, this is all of the API; the stage packages
 * ({@code registry}, {@code invoke}, {@code receive}, {@code process}, {@code timeout}) and {@code
 * support} are not, and no other module uses them.
 */
@NullMarked
package dev.extsvc.runtime;

import org.jspecify.annotations.NullMarked;
