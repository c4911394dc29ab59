/**
 * Registration: parses an OpenAPI 3.0/3.1 document into an immutable {@link
 * dev.extsvc.spec.ServiceDefinition} and a {@link dev.extsvc.spec.Report} of what is wrong with it,
 * with locations.
 */
@NullMarked
package dev.extsvc.spec;

import org.jspecify.annotations.NullMarked;
