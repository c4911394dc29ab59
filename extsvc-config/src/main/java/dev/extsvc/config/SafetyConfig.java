package dev.extsvc.config;

import dev.extsvc.runtime.ExternalServices;
import dev.extsvc.runtime.StorageQuotas;
import java.util.List;

/**
 * What extsvc.yaml says about masking, trusted proxies and what callbacks may store: {@code
 * masking.names}, {@code callbacks.trustedProxies}, and the quotas and unknown-token limit under
 * {@code limits}.
 *
 * @param maskNames header and query parameter names masked besides the built-in ones
 * @param trustedProxies address blocks whose forwarding headers name the client
 * @param unknownTokensPerMinute unknown-token answers per client and minute before 429
 * @param quotas callbacks per invocation, after completion, and bytes in all
 */
public record SafetyConfig(
    List<String> maskNames,
    List<String> trustedProxies,
    int unknownTokensPerMinute,
    StorageQuotas quotas) {
  public static final int DEFAULT_UNKNOWN_TOKENS_PER_MINUTE = 60;

  public static final SafetyConfig DEFAULTS =
      new SafetyConfig(
          List.of(), List.of(), DEFAULT_UNKNOWN_TOKENS_PER_MINUTE, StorageQuotas.DEFAULTS);

  public SafetyConfig {
    maskNames = List.copyOf(maskNames);
    trustedProxies = List.copyOf(trustedProxies);
    // the builder's own checks, so that the file reports them at their line
    ExternalServices.Builder probe = ExternalServices.builder();
    probe.maskNames(maskNames.toArray(String[]::new));
    probe.trustedProxies(trustedProxies.toArray(String[]::new));
    probe.unknownTokenLimit(unknownTokensPerMinute);
  }

  void configure(ExternalServices.Builder b) {
    b.maskNames(maskNames.toArray(String[]::new))
        .trustedProxies(trustedProxies.toArray(String[]::new))
        .unknownTokenLimit(unknownTokensPerMinute)
        .storageQuotas(quotas);
  }
}
