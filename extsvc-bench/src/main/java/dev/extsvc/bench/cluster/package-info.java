/**
 * The cluster suite ({@code scripts/cluster-suite}): three {@code extsvc serve} nodes on one
 * PostgreSQL, two of them with clocks ten minutes off, killed and paused at random while retrying
 * senders deliver every callback to a random node; then checked with plain SQL. Its handler ({@link
 * dev.extsvc.bench.cluster.ClusterHandler}) runs inside the nodes, the rest in the driver.
 */
@NullMarked
package dev.extsvc.bench.cluster;

import org.jspecify.annotations.NullMarked;
