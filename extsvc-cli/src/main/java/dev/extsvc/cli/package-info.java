/** The {@code extsvc} command line: check, serve, invoke, status, mock, demo. */
@NullMarked
package dev.extsvc.cli;

import org.jspecify.annotations.NullMarked;
