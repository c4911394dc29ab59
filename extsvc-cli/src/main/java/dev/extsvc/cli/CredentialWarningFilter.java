package dev.extsvc.cli;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;

/**
 * Drops the runtime's warning about a missing credential, logged once per operation at
 * registration: {@code serve} prints one line per service instead (see {@link
 * SecurityNeeds#unmetLine}). Set in the CLI's logback.xml.
 */
public final class CredentialWarningFilter extends Filter<ILoggingEvent> {
  @Override
  public FilterReply decide(ILoggingEvent event) {
    String pattern =
        event
            .getMessage(); // the unformatted message: its wording is the runtime's, its values vary
    return pattern != null
            && pattern.startsWith("Operation ")
            && pattern.endsWith("but the service has no matching credential")
        ? FilterReply.DENY
        : FilterReply.NEUTRAL;
  }
}
