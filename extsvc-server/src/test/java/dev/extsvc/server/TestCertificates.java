package dev.extsvc.server;

import dev.extsvc.runtime.testing.KeyStores;
import java.nio.file.Path;
import javax.net.ssl.SSLContext;

/**
 * Key stores for a mutual TLS test, made in a directory of the test's own by the runtime test kit's
 * {@link KeyStores}: a server key for 127.0.0.1, a client key, and trust stores that hold each
 * other's certificate.
 */
final class TestCertificates {
  static final String PASSWORD = KeyStores.PASSWORD;

  final Path serverKeys;
  final Path serverTrust;
  final Path clientKeys;
  final Path clientTrust;

  TestCertificates(Path dir) {
    serverKeys = dir.resolve("server.p12");
    serverTrust = dir.resolve("server-trust.p12");
    clientKeys = dir.resolve("client.p12");
    clientTrust = dir.resolve("client-trust.p12");
    KeyStores.keytool(
        "-genkeypair",
        "-alias",
        "server",
        "-keyalg",
        "EC",
        "-groupname",
        "secp256r1",
        "-validity",
        "2",
        "-dname",
        "CN=127.0.0.1",
        "-ext",
        "SAN=ip:127.0.0.1,dns:localhost",
        "-keystore",
        serverKeys.toString());
    KeyStores.keytool(
        "-genkeypair",
        "-alias",
        "client",
        "-keyalg",
        "EC",
        "-groupname",
        "secp256r1",
        "-validity",
        "2",
        "-dname",
        "CN=extsvc-test-client",
        "-keystore",
        clientKeys.toString());
    Path serverCert = dir.resolve("server.cer");
    Path clientCert = dir.resolve("client.cer");
    KeyStores.keytool(
        "-exportcert",
        "-alias",
        "server",
        "-keystore",
        serverKeys.toString(),
        "-file",
        serverCert.toString());
    KeyStores.keytool(
        "-exportcert",
        "-alias",
        "client",
        "-keystore",
        clientKeys.toString(),
        "-file",
        clientCert.toString());
    KeyStores.keytool(
        "-importcert",
        "-noprompt",
        "-alias",
        "server",
        "-file",
        serverCert.toString(),
        "-keystore",
        clientTrust.toString());
    KeyStores.keytool(
        "-importcert",
        "-noprompt",
        "-alias",
        "client",
        "-file",
        clientCert.toString(),
        "-keystore",
        serverTrust.toString());
  }

  /** The test server's side: its key, and trust in the client's certificate only. */
  SSLContext serverContext() throws Exception {
    return KeyStores.context(serverKeys, serverTrust);
  }
}
