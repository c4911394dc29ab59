/** Implementation details shared by the runtime and the server; not an API, may change at any time. */
@NullMarked
package dev.extsvc.runtime.internal;

import org.jspecify.annotations.NullMarked;
