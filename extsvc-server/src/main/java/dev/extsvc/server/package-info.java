/**
 * The standalone server: the callback endpoint and the REST API on Helidon SE (virtual threads).
 */
@NullMarked
package dev.extsvc.server;

import org.jspecify.annotations.NullMarked;
