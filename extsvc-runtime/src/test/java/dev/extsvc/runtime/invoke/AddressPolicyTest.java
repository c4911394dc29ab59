package dev.extsvc.runtime.invoke;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The SSRF table: every row refused by default, with the address it stands for named in the reason.
 */
class AddressPolicyTest {
  /** Names resolve here, never on the network: a public name, and names that point inside. */
  static final Map<String, String> DNS =
      Map.of(
          "api.example.com", "93.184.215.14",
          "rebind.example.com", "10.0.0.5",
          "metadata.example.com", "169.254.169.254",
          "v6.example.com", "::1");

  static final AddressPolicy.Resolver RESOLVER =
      host -> {
        String a = DNS.get(host);
        if (a == null) {
          throw new UnknownHostException(host);
        }
        return new InetAddress[] {InetAddress.getByName(a)};
      };

  static final AddressPolicy DEFAULT = new AddressPolicy(false, List.of(), RESOLVER);
  static final AddressPolicy PRIVATE_ALLOWED = new AddressPolicy(true, List.of(), RESOLVER);

  @ParameterizedTest(name = "{0} is refused as {1}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      127.0.0.1                  | 127.0.0.1       | loopback
      127.255.255.254            | 127.255.255.254 | loopback
      127.1                      | 127.0.0.1       | loopback
      2130706433                 | 127.0.0.1       | loopback
      0177.0.0.1                 | 127.0.0.1       | loopback
      0x7f.0.0.1                 | 127.0.0.1       | loopback
      0x7f000001                 | 127.0.0.1       | loopback
      017700000001               | 127.0.0.1       | loopback
      127.0.0.1.                 | 127.0.0.1       | loopback
      [::1]                      | 0:0:0:0:0:0:0:1 | loopback
      [0:0:0:0:0:0:0:1]          | 0:0:0:0:0:0:0:1 | loopback
      [::ffff:127.0.0.1]         | 127.0.0.1       | loopback
      [::127.0.0.1]              | 127.0.0.1       | loopback
      [64:ff9b::7f00:1]          | 127.0.0.1       | loopback
      0.0.0.0                    | 0.0.0.0         | unspecified
      0                          | 0.0.0.0         | unspecified
      [::]                       | 0:0:0:0:0:0:0:0 | unspecified
      10.0.0.1                   | 10.0.0.1        | private
      10.255.255.255             | 10.255.255.255  | private
      172.16.0.1                 | 172.16.0.1      | private
      172.31.255.255             | 172.31.255.255  | private
      192.168.1.1                | 192.168.1.1     | private
      0xc0a80101                 | 192.168.1.1     | private
      [fc00::1]                  | fc00:0:0:0:0:0:0:1 | private
      [fd12:3456::1]             | fd12:3456:0:0:0:0:0:1 | private
      [::ffff:10.0.0.1]          | 10.0.0.1        | private
      [2002:c0a8:101::1]         | 192.168.1.1     | private
      169.254.169.254            | 169.254.169.254 | metadata
      169.254.170.2              | 169.254.170.2   | metadata
      100.100.100.200            | 100.100.100.200 | metadata
      2852039166                 | 169.254.169.254 | metadata
      0xa9fea9fe                 | 169.254.169.254 | metadata
      0xa9.0xfe.0xa9.0xfe        | 169.254.169.254 | metadata
      0251.0376.0251.0376        | 169.254.169.254 | metadata
      169.254.43518              | 169.254.169.254 | metadata
      [::ffff:169.254.169.254]   | 169.254.169.254 | metadata
      [::ffff:a9fe:a9fe]         | 169.254.169.254 | metadata
      [0:0:0:0:0:ffff:a9fe:a9fe] | 169.254.169.254 | metadata
      [64:ff9b::a9fe:a9fe]       | 169.254.169.254 | metadata
      [2002:a9fe:a9fe::]         | 169.254.169.254 | metadata
      [fd00:ec2::254]            | fd00:ec2:0:0:0:0:0:254 | metadata
      169.254.1.1                | 169.254.1.1     | link-local
      [fe80::1]                  | fe80:0:0:0:0:0:0:1 | link-local
      [fe80::1%25eth0]           | fe80:0:0:0:0:0:0:1 | link-local
      100.64.0.1                 | 100.64.0.1      | shared
      224.0.0.1                  | 224.0.0.1       | multicast
      255.255.255.255            | 255.255.255.255 | reserved
      [ff02::1]                  | ff02:0:0:0:0:0:0:1 | multicast
      rebind.example.com         | 10.0.0.5        | private
      metadata.example.com       | 169.254.169.254 | metadata
      v6.example.com             | 0:0:0:0:0:0:0:1 | loopback
      """)
  void refusedByDefault(String host, String address, String category) {
    String why = DEFAULT.refusal(host.replace("%25", "%"));

    assertThat(why)
        .isNotNull()
        .contains(address)
        .contains(category.equals("multicast") ? "multicast" : category)
        .contains("outbound.allow");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "93.184.215.14",
        "8.8.8.8",
        "1.1.1.1",
        "[2606:4700:4700::1111]",
        "api.example.com",
        "172.32.0.1",
        "192.169.0.1",
        "100.128.0.1"
      })
  void publicAddressesMayBeCalled(String host) {
    assertThat(DEFAULT.refusal(host)).isNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"unknown.example.com", "localhost.", "nosuch.invalid"})
  void aNameThatDoesNotResolveIsRefusedNamingTheHost(String host) {
    assertThat(DEFAULT.refusal(host)).isEqualTo(PRIVATE_ALLOWED.refusal(host)).isNotNull();
    assertThat(PRIVATE_ALLOWED.refusal(host)).startsWith(host + " does not resolve to any address");
  }

  @ParameterizedTest
  @ValueSource(strings = {"localhost.", "nosuch.invalid"})
  void namesThatTheSystemResolverCannotResolveAreRefused(String host) {
    // the real resolver: RFC 6761 keeps .invalid unresolvable; "localhost." with its dot is not
    // in the hosts file, and the outside test found it passed
    AddressPolicy real = AddressPolicy.of(true, List.of());
    assertThat(real.refusal(host)).contains(host).contains("does not resolve");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "127.0.0.1",
        "0x7f000001",
        "[::1]",
        "10.0.0.1",
        "192.168.1.1",
        "[fd12::1]",
        "169.254.1.1",
        "0.0.0.0",
        "rebind.example.com"
      })
  void allowingPrivateNetworksAllowsLoopbackAndPrivateAddresses(String host) {
    assertThat(PRIVATE_ALLOWED.refusal(host)).isNull();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "169.254.169.254",
        "[::ffff:169.254.169.254]",
        "0xa9fea9fe",
        "metadata.example.com",
        "[fd00:ec2::254]",
        "224.0.0.1"
      })
  void metadataAndMulticastStayRefusedWhenPrivateNetworksAreAllowed(String host) {
    assertThat(PRIVATE_ALLOWED.refusal(host))
        .isNotNull()
        .contains("outbound.allowAddresses")
        .doesNotContain("allowPrivateNetworks");
  }

  @Test
  void anExplicitBlockAllowsExactlyItsAddresses() {
    AddressPolicy policy =
        new AddressPolicy(
            false,
            List.of(
                AddressPolicy.Cidr.parse("10.1.0.0/16"),
                AddressPolicy.Cidr.parse("169.254.169.254/32")),
            RESOLVER);

    assertThat(policy.refusal("10.1.2.3")).isNull();
    assertThat(policy.refusal("[::ffff:10.1.2.3]")).isNull();
    assertThat(policy.refusal("169.254.169.254")).isNull();
    assertThat(policy.refusal("10.2.0.1")).isNotNull();
  }

  @Test
  void badBlocksAreRefusedWithTheReason() {
    assertThatThrownBy(() -> AddressPolicy.Cidr.parse("10.0.0.0/33")).hasMessageContaining("0..32");
    assertThatThrownBy(() -> AddressPolicy.Cidr.parse("example.com/8"))
        .hasMessageContaining("not an address block");
  }

  @Test
  void namesAreNotMistakenForNumbers() {
    assertThat(AddressPolicy.literal("example.com")).isNull();
    assertThat(AddressPolicy.literal("0x7g.0.0.1")).isNull();
    assertThat(AddressPolicy.literal("1.2.3.4.5")).isNull();
    assertThat(AddressPolicy.literal("256.0.0.1")).isNull();
    assertThat(AddressPolicy.literal("4294967296")).isNull();
  }
}
