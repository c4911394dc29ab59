/**
 * Named credentials for callouts: API key, bearer token, HTTP basic, OAuth 2.0 client credentials
 * and mutual TLS. Values only; secrets stay {@link dev.extsvc.runtime.credentials.Secret}
 * references until a callout needs them, and no credential prints its secret.
 */
@NullMarked
package dev.extsvc.runtime.credentials;

import org.jspecify.annotations.NullMarked;
