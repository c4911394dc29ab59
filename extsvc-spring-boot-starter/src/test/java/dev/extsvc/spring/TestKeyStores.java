package dev.extsvc.spring;

import dev.extsvc.runtime.testing.KeyStores;
import java.nio.file.Path;
import javax.net.ssl.SSLContext;

/**
 * Key stores for a mutual TLS test, made in the test's directory by the runtime test kit's {@link
 * KeyStores}. One key pair, for 127.0.0.1, serves both ends and one trust store holds its
 * certificate: three keytool runs instead of six, and the handshake still needs the client to
 * present a key the service trusts.
 */
final class TestKeyStores {
  static final String PASSWORD = KeyStores.PASSWORD;
  static final String SUBJECT = "CN=extsvc-spring-test";

  final Path keys;
  final Path trust;

  TestKeyStores(Path dir) {
    keys = dir.resolve("keys.p12");
    trust = dir.resolve("trust.p12");
    Path cert = dir.resolve("test.cer");
    KeyStores.keytool(
        "-genkeypair",
        "-alias",
        "test",
        "-keyalg",
        "EC",
        "-groupname",
        "secp256r1",
        "-validity",
        "2",
        "-dname",
        SUBJECT,
        "-ext",
        "SAN=ip:127.0.0.1",
        "-keystore",
        keys.toString());
    KeyStores.keytool(
        "-exportcert", "-alias", "test", "-keystore", keys.toString(), "-file", cert.toString());
    KeyStores.keytool(
        "-importcert",
        "-noprompt",
        "-alias",
        "test",
        "-file",
        cert.toString(),
        "-keystore",
        trust.toString());
  }

  /** The service's side: the key, and trust in its certificate only. */
  SSLContext serverContext() throws Exception {
    return KeyStores.context(keys, trust);
  }
}
