package dev.extsvc.spring;

import dev.extsvc.runtime.ExternalServices;
import dev.extsvc.runtime.ServiceSettings;
import dev.extsvc.runtime.credentials.Credential;
import dev.extsvc.runtime.credentials.CredentialReader;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Applies {@link ExtsvcProperties} to a runtime builder. Every rejection names the property it
 * comes from; the runtime's own checks are caught and given that name too.
 */
final class Settings {
  private Settings() {}

  /** The service name of a {@code extsvc.services} entry: its {@code name}, else its key. */
  static String serviceName(String key, ExtsvcProperties.Service service) {
    return service.name() == null || service.name().isBlank() ? key : service.name();
  }

  static void apply(ExtsvcProperties p, ExternalServices.Builder b) {
    at("extsvc.callback-path", () -> b.callbackPath(p.callbackPath()));
    at("extsvc.sync-timeout", () -> b.syncTimeout(p.syncTimeout()));
    at("extsvc.handler-timeout", () -> b.handlerTimeout(p.handlerTimeout()));
    Duration defaultTimeout = p.callbackTimeout().defaultTimeout();
    if (defaultTimeout != null) {
      at("extsvc.callback-timeout.default", () -> b.defaultCallbackTimeout(defaultTimeout));
    }
    Duration maxTimeout = p.callbackTimeout().max();
    if (maxTimeout != null) {
      at("extsvc.callback-timeout.max", () -> b.maxCallbackTimeout(maxTimeout));
    }
    b.allowPrivateNetworks(p.outbound().allowPrivateNetworks())
        .allowSpecServers(p.outbound().allowSpecServers());
    for (String block : p.outbound().allowAddresses()) {
      at("extsvc.outbound.allow-addresses", () -> b.allowAddresses(block));
    }
    p.handlerPackages().forEach(b::allowHandlerPackage);
    p.credentials().forEach((name, c) -> b.credential(credential(name, c)));
    p.services()
        .forEach(
            (key, s) -> {
              String name = serviceName(key, s);
              String prefix = "extsvc.services." + key;
              for (String c : credentialsOf(s)) {
                if (!p.credentials().containsKey(c)) {
                  throw new ExtsvcConfigException(
                      prefix + ".credential",
                      "no credential '"
                          + c
                          + "' under extsvc.credentials; defined: "
                          + p.credentials().keySet());
                }
              }
              ServiceSettings settings =
                  at(
                      prefix,
                      () -> {
                        var sb = ServiceSettings.builder(name);
                        if (s.endpoint() != null) {
                          sb.endpoint(s.endpoint());
                        }
                        credentialsOf(s).forEach(sb::credential);
                        if (s.timeouts().connect() != null) {
                          sb.connectTimeout(s.timeouts().connect());
                        }
                        if (s.timeouts().read() != null) {
                          sb.readTimeout(s.timeouts().read());
                        }
                        if (s.timeouts().total() != null) {
                          sb.totalTimeout(s.timeouts().total());
                        }
                        if (s.callbackTimeout().defaultTimeout() != null) {
                          sb.defaultCallbackTimeout(s.callbackTimeout().defaultTimeout());
                        }
                        if (s.callbackTimeout().max() != null) {
                          sb.maxCallbackTimeout(s.callbackTimeout().max());
                        }
                        if (s.maxResponseBytes() != null) {
                          sb.maxResponseBytes(s.maxResponseBytes().toBytes());
                        }
                        return sb.allowPrivateNetwork(s.allowPrivateNetwork()).build();
                      });
              b.service(settings).acknowledgement(name, s.acknowledgement());
            });
  }

  private static java.util.List<String> credentialsOf(ExtsvcProperties.Service s) {
    var all = new java.util.ArrayList<String>();
    if (s.credential() != null && !s.credential().isBlank()) {
      all.add(s.credential());
    }
    all.addAll(s.credentials());
    return all;
  }

  /** A credential, read by the runtime's {@link CredentialReader} as {@code extsvc.yaml}'s are. */
  static Credential credential(String name, ExtsvcProperties.Credential c) {
    return at(
        "extsvc.credentials."
            + name, // what the reader does not name (a path the OS refuses) names the entry
        () -> CredentialReader.read(name, new CredentialProperties(name, c, System::getenv)));
  }

  /**
   * Runs a step; the runtime's IllegalArgumentException becomes an error that names the property.
   */
  private static <T> T at(String property, Supplier<T> step) {
    try {
      return step.get();
    } catch (IllegalArgumentException e) {
      throw new ExtsvcConfigException(property, Objects.toString(e.getMessage(), "invalid value"));
    }
  }

  private static void at(String property, Runnable step) {
    at(
        property,
        () -> {
          step.run();
          return null;
        });
  }
}
