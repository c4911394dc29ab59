/** The one door of the bench module into the runtime's package: {@link dev.extsvc.runtime.BenchValidators}. */
@NullMarked
package dev.extsvc.runtime;

import org.jspecify.annotations.NullMarked;
