package dev.extsvc.spring;

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
 * Key stores for a mutual TLS test, made by the JDK's keytool in the test's directory (as
 * extsvc-server's tests do). One key pair, for 127.0.0.1, serves both ends and one trust store
 * holds its certificate: three keytool runs instead of six, and the handshake still needs the
 * client to present a key the service trusts.
 */
final class TestKeyStores {
  static final String PASSWORD = "ks-pass-9c8d7e";
  static final String SUBJECT = "CN=extsvc-spring-test";

  final Path keys;
  final Path trust;

  TestKeyStores(Path dir) {
    keys = dir.resolve("keys.p12");
    trust = dir.resolve("trust.p12");
    Path cert = dir.resolve("test.cer");
    keytool(
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
    keytool(
        "-exportcert", "-alias", "test", "-keystore", keys.toString(), "-file", cert.toString());
    keytool(
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
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(load(keys), PASSWORD.toCharArray());
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(load(trust));
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
