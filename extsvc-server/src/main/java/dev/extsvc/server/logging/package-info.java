/**
 * Keeps callback tokens out of every log line: {@link dev.extsvc.server.logging.LogMask} rewrites
 * {@code CALLBACK_PATH/TOKEN} to {@code CALLBACK_PATH/***}, and {@link
 * dev.extsvc.server.logging.CallbackTokenMask} applies it to every Logback event, whatever its
 * logger.
 */
@NullMarked
package dev.extsvc.server.logging;

import org.jspecify.annotations.NullMarked;
