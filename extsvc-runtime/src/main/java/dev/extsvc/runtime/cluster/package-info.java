/**
 * Several runtimes on one store: each node's identity and heartbeat, dead nodes' leases released at
 * once, and the store's clock as every node's time. Entry: {@link
 * dev.extsvc.runtime.cluster.Membership}. Not an API.
 */
@NullMarked
package dev.extsvc.runtime.cluster;

import org.jspecify.annotations.NullMarked;
