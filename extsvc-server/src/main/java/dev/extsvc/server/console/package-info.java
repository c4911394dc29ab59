/**
 * The Background Operations console: server-rendered pages under /console, and the admin token
 * guard.
 */
@NullMarked
package dev.extsvc.server.console;

import org.jspecify.annotations.NullMarked;
