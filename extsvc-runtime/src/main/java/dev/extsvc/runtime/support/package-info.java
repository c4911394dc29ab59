/**
 * Small helpers shared by the runtime's stages: JSON, callback tokens, UUIDv7 ids, compiled payload
 * validators. Not an API: it may change at any time, and no other module imports it (checked by the
 * runtime's {@code ModuleBoundaryTest}), except {@code extsvc-bench}, whose JMH suite uses {@link
 * dev.extsvc.runtime.support.Tokens} and {@link dev.extsvc.runtime.support.PayloadValidator} as a
 * documented test hook, so that what it measures is the runtime's own code.
 */
@NullMarked
package dev.extsvc.runtime.support;

import org.jspecify.annotations.NullMarked;
