/** The {@code extsvc:generate} goal: typed clients from OpenAPI specs at generate-sources. */
@NullMarked
package dev.extsvc.maven;

import org.jspecify.annotations.NullMarked;
