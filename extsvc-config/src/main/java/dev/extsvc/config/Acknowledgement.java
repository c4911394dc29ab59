package dev.extsvc.config;

/** When a callback sender gets its answer. */
public enum Acknowledgement {
  /** After the handler ran (the default, as in the seed). */
  SYNC,
  /** Right after the callback is stored; the handler runs from a durable queue. Not implemented yet. */
  DURABLE
}
