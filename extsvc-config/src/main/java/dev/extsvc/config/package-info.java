/**
 * The configuration file {@code extsvc.yaml}: {@link dev.extsvc.config.ExtsvcConfig} (records,
 * validated) and its loader, which reports a bad file with its line and column. Independent of any
 * command-line or DI framework.
 */
@NullMarked
package dev.extsvc.config;

import org.jspecify.annotations.NullMarked;
