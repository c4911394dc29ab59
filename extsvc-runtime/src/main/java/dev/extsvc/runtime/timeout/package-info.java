/**
 * Timeouts: the sweeper moves PENDING invocations past their deadline to TIMED_OUT and calls their
 * handlers' timeout hooks. Entry: {@link dev.extsvc.runtime.timeout.Sweeper}. Not an API.
 */
@NullMarked
package dev.extsvc.runtime.timeout;

import org.jspecify.annotations.NullMarked;
