/**
 * The compatibility run over the public API corpus ({@code scripts/corpus-check}): each document
 * through registration, client generation and compilation, and the Markdown report of the outcomes.
 */
@NullMarked
package dev.extsvc.corpus;

import org.jspecify.annotations.NullMarked;
