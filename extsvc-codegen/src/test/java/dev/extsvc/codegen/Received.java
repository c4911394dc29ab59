package dev.extsvc.codegen;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/** Where handlers compiled from generated code in tests report what they saw. */
public final class Received {
  public static final BlockingQueue<String> EVENTS = new LinkedBlockingQueue<>();

  private Received() {}
}
