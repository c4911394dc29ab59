package dev.extsvc.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Key stores for a mutual TLS test, made by the JDK's keytool in a directory of the test's own: a
 * server key for 127.0.0.1, a client key, and trust stores that hold each other's certificate.
 */
final class TestCertificates {
  static final String PASSWORD = "ks-pass-5e6f7a";

  final Path serverKeys;
  final Path serverTrust;
  final Path clientKeys;
  final Path clientTrust;

  TestCertificates(Path dir) {
    serverKeys = dir.resolve("server.p12");
    serverTrust = dir.resolve("server-trust.p12");
    clientKeys = dir.resolve("client.p12");
    clientTrust = dir.resolve("client-trust.p12");
    keytool(
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
    keytool(
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
    keytool(
        "-exportcert",
        "-alias",
        "server",
        "-keystore",
        serverKeys.toString(),
        "-file",
        serverCert.toString());
    keytool(
        "-exportcert",
        "-alias",
        "client",
        "-keystore",
        clientKeys.toString(),
        "-file",
        clientCert.toString());
    keytool(
        "-importcert",
        "-noprompt",
        "-alias",
        "server",
        "-file",
        serverCert.toString(),
        "-keystore",
        clientTrust.toString());
    keytool(
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
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(load(serverKeys), PASSWORD.toCharArray());
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(load(serverTrust));
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return ctx;
  }

  private static KeyStore load(Path file) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(file)) {
      ks.load(in, PASSWORD.toCharArray());
    }
    return ks;
  }

  private static void keytool(String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    command.addAll(List.of("-storetype", "PKCS12", "-storepass", PASSWORD));
    if (args[0].equals("-genkeypair")) {
      command.addAll(List.of("-keypass", PASSWORD));
    }
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output = new String(p.getInputStream().readAllBytes());
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException("keytool " + args[0] + " failed: " + output);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
