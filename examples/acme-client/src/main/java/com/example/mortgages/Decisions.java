package com.example.mortgages;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Where the handlers put what Acme decided. Handlers are re-created from their stored state when a
 * callback comes, so they reach the application through something static (or, with Spring, an
 * injected bean); a real application would write to its own database here.
 */
public final class Decisions {
  /** One line per decision, e.g. "Ann approved A-1001 250000". */
  public static final BlockingQueue<String> RECEIVED = new LinkedBlockingQueue<>();

  private Decisions() {}
}
