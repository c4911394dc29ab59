/**
 * Registration as the runtime keeps it: each registered service compiled once into a {@link
 * dev.extsvc.runtime.registry.ServicePlan} of {@link dev.extsvc.runtime.registry.OperationPlan}s,
 * the live set of them ({@link dev.extsvc.runtime.registry.Registry}), saved to and loaded back
 * from the store. Not an API.
 */
@NullMarked
package dev.extsvc.runtime.registry;

import org.jspecify.annotations.NullMarked;
