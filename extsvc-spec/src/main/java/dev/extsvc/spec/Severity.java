package dev.extsvc.spec;

/** How bad a registration finding is: errors refuse the document, warnings do not. */
public enum Severity {
  ERROR,
  WARNING
}
