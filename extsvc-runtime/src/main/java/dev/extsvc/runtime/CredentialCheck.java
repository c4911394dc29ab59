package dev.extsvc.runtime;

import java.util.List;

/**
 * What one operation of a registered service asks for in credentials, and whether the service's
 * configured credentials cover it. Names and kinds only, never a secret.
 *
 * @param expects e.g. "http bearer 'bearerAuth' (bearer or oauth2ClientCredentials)", or "no
 *     credential"
 * @param credentials the names of the credentials the service uses
 * @param satisfied false when a call to the operation would be refused before anything is sent
 */
public record CredentialCheck(
    String operation, String expects, List<String> credentials, boolean satisfied) {
  public CredentialCheck {
    credentials = List.copyOf(credentials);
  }
}
