/**
 * A simulated external web service driven by a spec ({@link dev.extsvc.mock.MockService}): answers each operation
 * with a valid response and fires its callbacks to the URLs found in the request.
 */
@NullMarked
package dev.extsvc.mock;

import org.jspecify.annotations.NullMarked;
