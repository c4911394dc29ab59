/**
 * Typed Java clients for registered services: {@link dev.extsvc.codegen.JavaClientGenerator} turns
 * a {@link dev.extsvc.spec.ServiceDefinition} into one client class per service and records for its
 * schemas.
 */
@NullMarked
package dev.extsvc.codegen;

import org.jspecify.annotations.NullMarked;
