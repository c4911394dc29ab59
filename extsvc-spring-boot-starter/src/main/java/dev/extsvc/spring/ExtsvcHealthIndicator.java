package dev.extsvc.spring;

import dev.extsvc.runtime.ExternalServices;
import dev.extsvc.runtime.store.InvocationStatus;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * {@code /actuator/health} component "extsvc": UP when the store answers and the timeout sweeper is
 * alive, with the pending and overdue invocation counts (overdue: PENDING past the deadline, which
 * the sweeper should have timed out; a growing figure means it is not keeping up).
 */
final class ExtsvcHealthIndicator extends AbstractHealthIndicator {
  private final ExternalServices services;
  private final StoreFigures figures;

  ExtsvcHealthIndicator(ExternalServices services, StoreFigures figures) {
    super("extsvc health check failed");
    this.services = services;
    this.figures = figures;
  }

  @Override
  protected void doHealthCheck(Health.Builder builder) {
    boolean storeUp = services.store().healthy();
    boolean sweeperAlive = services.sweeperAlive();
    builder
        .withDetail("store", storeUp ? "reachable" : "unreachable")
        .withDetail("sweeper", sweeperAlive ? "alive" : "stopped");
    if (storeUp) {
      var now = figures.read();
      builder
          .withDetail("pending", now.byStatus().getOrDefault(InvocationStatus.PENDING, 0L))
          .withDetail("overdue", now.overdue());
    }
    if (storeUp && sweeperAlive) {
      builder.up();
    } else {
      builder.down();
    }
  }
}
