package dev.extsvc.server;

import dev.extsvc.runtime.CallbackHandler;
import dev.extsvc.runtime.ReceivedCallback;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Records every handler run of a job as the list of the scenario places ({@code X-Mock-Sequence})
 * and keys it was given; the first run can be made slow.
 */
final class JobHandler implements CallbackHandler {
  record Run(String key, List<String> sequence, List<String> keys) {}

  static final List<Run> RUNS = new CopyOnWriteArrayList<>();
  static volatile long firstRunMillis;

  private String job;

  private JobHandler() {}

  JobHandler(String job) {
    this.job = job;
  }

  static void reset() {
    RUNS.clear();
    firstRunMillis = 0;
  }

  @Override
  public void onCallback(String key, List<ReceivedCallback> callbacks) throws Exception {
    if (RUNS.isEmpty() && firstRunMillis > 0) {
      Thread.sleep(firstRunMillis);
    }
    RUNS.add(
        new Run(
            key,
            callbacks.stream().map(c -> String.valueOf(c.header("x-mock-sequence"))).toList(),
            callbacks.stream().map(ReceivedCallback::key).toList()));
  }

  String job() {
    return job;
  }
}
