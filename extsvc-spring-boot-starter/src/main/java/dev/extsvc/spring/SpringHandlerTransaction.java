package dev.extsvc.spring;

import dev.extsvc.runtime.HandlerTransaction;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Runs each callback's handler in a Spring transaction of the application.
 *
 * <p>When the store lives on the same DataSource ({@code sharesDataSource}), the callback's
 * completion is written on that transaction's connection before it commits: the handler's rows and
 * the callback's HANDLED/COMPLETED commit together, and a handler that throws (or a completion that
 * fails) leaves neither. Otherwise the handler's transaction commits first and the completion
 * follows in the store: should the process die in between, the callback is run again (at least
 * once).
 */
final class SpringHandlerTransaction implements HandlerTransaction {
  private final @Nullable TransactionTemplate template;
  private final boolean sharesDataSource;

  /**
   * @param manager null when the application has no transactions: the handler then runs as without
   *     Spring
   */
  SpringHandlerTransaction(@Nullable PlatformTransactionManager manager, boolean sharesDataSource) {
    this.template = manager == null ? null : new TransactionTemplate(manager);
    this.sharesDataSource = sharesDataSource;
  }

  @Override
  public void run(HandlerCall call, Step handler, Step completion) throws Exception {
    // the runtime measures the run (extsvc.handler.duration) and traces it
    Runnable carriedHandler = () -> carry(handler::run);
    boolean joined = template != null && sharesDataSource;
    try {
      if (template == null) {
        carriedHandler.run();
      } else {
        template.executeWithoutResult(
            status -> {
              carriedHandler.run();
              if (joined) {
                carry(() -> JoiningDataSource.joined(completion::run));
              }
            });
      }
      if (!joined) {
        completion.run();
      }
    } catch (Carried e) {
      throw (Exception) Objects.requireNonNull(e.getCause()); // Carried always carries one
    }
  }

  /**
   * Lets a checked exception through TransactionTemplate, which rolls back on it, and out again
   * unchanged.
   */
  private static void carry(JoiningDataSource.SqlWork work) {
    try {
      work.run();
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Exception e) {
      throw new Carried(e);
    }
  }

  private static final class Carried extends RuntimeException {
    Carried(Exception cause) {
      super(cause);
    }
  }
}
