package dev.extsvc.spec;

/** Where an operation parameter travels. */
public enum ParameterLocation {
  QUERY,
  HEADER,
  PATH,
  COOKIE
}
