package dev.extsvc.runtime.receive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.extsvc.runtime.CallbackRequest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The client a callback is counted under, with and without trusted proxies in front. */
class ClientAddressesTest {
  static final ClientAddresses BEHIND_PROXIES =
      new ClientAddresses(List.of("10.0.0.0/8", "192.168.1.1", "fd00::/8"));

  static String client(ClientAddresses c, String peer, String header, String value) {
    Map<String, List<String>> headers =
        header.isEmpty() ? Map.of() : Map.of(header, List.of(value));
    return c.of(new CallbackRequest("POST", "t", headers, new byte[0], peer));
  }

  @ParameterizedTest(name = "from {0} with {1}: {2} → {3}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      203.0.113.5   | X-Forwarded-For | 198.51.100.1                          | 203.0.113.5
      10.1.2.3      | ''              | ''                                    | 10.1.2.3
      10.1.2.3      | X-Forwarded-For | 198.51.100.1                          | 198.51.100.1
      10.1.2.3      | x-forwarded-for | 1.2.3.4, 198.51.100.1                 | 198.51.100.1
      10.1.2.3      | X-Forwarded-For | 1.2.3.4, 198.51.100.1, 192.168.1.1    | 198.51.100.1
      10.1.2.3      | X-Forwarded-For | 10.9.9.9, 192.168.1.1                 | 10.9.9.9
      10.1.2.3      | X-Forwarded-For | unknown                               | 10.1.2.3
      10.1.2.3      | X-Forwarded-For | 198.51.100.1:8080                     | 198.51.100.1
      10.1.2.3      | X-Forwarded-For | [2001:db8::1]:443                     | 2001:db8:0:0:0:0:0:1
      10.1.2.3      | Forwarded       | for=198.51.100.1                      | 198.51.100.1
      10.1.2.3      | Forwarded       | for=1.2.3.4, for=198.51.100.1;proto=https | 198.51.100.1
      10.1.2.3      | Forwarded       | for="[2001:db8:cafe::17]:4711"        | 2001:db8:cafe:0:0:0:0:17
      10.1.2.3      | Forwarded       | for=192.0.2.43, for=_hidden           | 10.1.2.3
      10.1.2.3      | Forwarded       | by=10.0.0.1;proto=http                | 10.1.2.3
      fd00::1       | Forwarded       | For="198.51.100.1:80"                 | 198.51.100.1
      [fd00::1]:443 | X-Forwarded-For | 198.51.100.1                          | 198.51.100.1
      """)
  void theRightmostUntrustedHopIsTheClient(String peer, String header, String value, String want) {
    assertThat(client(BEHIND_PROXIES, peer, header, value)).isEqualTo(want);
  }

  @Test
  void withoutTrustedProxiesTheHeadersAreNeverRead() {
    ClientAddresses none = new ClientAddresses(List.of());

    assertThat(client(none, "10.1.2.3", "X-Forwarded-For", "198.51.100.1")).isEqualTo("10.1.2.3");
    assertThat(client(none, "/10.1.2.3", "Forwarded", "for=198.51.100.1")).isEqualTo("10.1.2.3");
  }

  @Test
  void forwardedTakesPrecedenceOverXForwardedFor() {
    ClientAddresses c = new ClientAddresses(List.of("10.0.0.0/8"));
    var request =
        new CallbackRequest(
            "POST",
            "t",
            Map.of(
                "Forwarded", List.of("for=198.51.100.1"),
                "X-Forwarded-For", List.of("198.51.100.2")),
            new byte[0],
            "10.0.0.1");

    assertThat(c.of(request)).isEqualTo("198.51.100.1");
  }

  @Test
  void aTrustedProxyThatIsNotAnAddressBlockIsRefusedNamingIt() {
    assertThatThrownBy(() -> new ClientAddresses(List.of("proxy.example.com")))
        .hasMessageContaining("'proxy.example.com' is not an address or block");
    assertThatThrownBy(() -> new ClientAddresses(List.of("10.0.0.0/33")))
        .hasMessageContaining("prefix length outside 0..32");
    assertThatThrownBy(() -> new ClientAddresses(List.of("300.1.1.1")))
        .hasMessageContaining("not an address");
  }
}
