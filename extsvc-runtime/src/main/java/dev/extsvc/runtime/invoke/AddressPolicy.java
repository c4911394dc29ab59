package dev.extsvc.runtime.invoke;

import java.math.BigInteger;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Where callouts may go, decided on the addresses a host name resolves to (so a name pointing at
 * 10.0.0.5 is treated as 10.0.0.5). Loopback, private, link-local, shared, unspecified and metadata
 * addresses are refused unless private networks are allowed; metadata, multicast and reserved
 * addresses only by an explicit CIDR. Numeric hosts in the legacy forms resolvers still accept
 * (decimal, octal, hex, fewer than four parts) are read as the address they stand for before
 * anything else. A name that does not resolve is refused (fail closed), naming the host.
 *
 * <p>The HTTP client resolves the name again when it connects; the JVM's address cache (30 s by
 * default) normally gives it the answer checked here.
 */
final class AddressPolicy {
  /** Resolves a host name to all its addresses. */
  interface Resolver {
    InetAddress[] resolve(String host) throws UnknownHostException;
  }

  /** A block of addresses written as "10.1.0.0/16" or "fd00::/8". */
  record Cidr(InetAddress network, int prefix) {
    static Cidr parse(String text) {
      int slash = text.indexOf('/');
      String host = slash < 0 ? text : text.substring(0, slash);
      InetAddress network = literal(host.strip());
      if (network == null) {
        throw new IllegalArgumentException(
            "'" + text + "' is not an address block such as 10.1.0.0/16");
      }
      int bits = network.getAddress().length * 8;
      int prefix;
      try {
        prefix = slash < 0 ? bits : Integer.parseInt(text.substring(slash + 1).strip());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("'" + text + "' has no valid prefix length");
      }
      if (prefix < 0 || prefix > bits) {
        throw new IllegalArgumentException("'" + text + "' has a prefix length outside 0.." + bits);
      }
      return new Cidr(network, prefix);
    }

    boolean contains(InetAddress a) {
      byte[] n = network.getAddress();
      byte[] x = a.getAddress();
      if (n.length != x.length) {
        return false;
      }
      return new BigInteger(1, n)
          .shiftRight(n.length * 8 - prefix)
          .equals(new BigInteger(1, x).shiftRight(x.length * 8 - prefix));
    }
  }

  private static final List<Cidr> METADATA =
      cidrs(
          "169.254.169.254/32",
          "169.254.170.2/32",
          "100.100.100.200/32",
          "fd00:ec2::254/128",
          "192.0.0.192/32");
  private static final List<Cidr> LOOPBACK = cidrs("127.0.0.0/8", "::1/128");
  private static final List<Cidr> UNSPECIFIED = cidrs("0.0.0.0/8", "::/128");
  private static final List<Cidr> PRIVATE =
      cidrs("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7", "fec0::/10");
  private static final List<Cidr> LINK_LOCAL = cidrs("169.254.0.0/16", "fe80::/10");
  private static final List<Cidr> SHARED = cidrs("100.64.0.0/10");
  private static final List<Cidr> RESERVED =
      cidrs(
          "192.0.0.0/24",
          "192.0.2.0/24",
          "198.18.0.0/15",
          "198.51.100.0/24",
          "203.0.113.0/24",
          "224.0.0.0/4",
          "240.0.0.0/4",
          "::/96",
          "ff00::/8",
          "2001:db8::/32",
          "2001::/32",
          "100::/64");

  private final boolean allowPrivate;
  private final List<Cidr> allowed;
  private final Resolver resolver;

  AddressPolicy(boolean allowPrivate, List<Cidr> allowed, Resolver resolver) {
    this.allowPrivate = allowPrivate;
    this.allowed = List.copyOf(allowed);
    this.resolver = resolver;
  }

  static AddressPolicy of(boolean allowPrivate, List<Cidr> allowed) {
    return new AddressPolicy(allowPrivate, allowed, InetAddress::getAllByName);
  }

  AddressPolicy allowingPrivate() {
    return allowPrivate ? this : new AddressPolicy(true, allowed, resolver);
  }

  /**
   * Why a callout to this host is refused, or null when it may go. A name that does not resolve is
   * refused (fail closed): the policy cannot judge an address it never saw, and the client would
   * resolve it again when it connects, perhaps to an address that is refused here.
   */
  @Nullable String refusal(String host) {
    String h =
        host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    InetAddress literal = literal(h);
    InetAddress[] addresses;
    if (literal != null) {
      addresses = new InetAddress[] {literal};
    } else {
      try {
        addresses = resolver.resolve(h);
      } catch (UnknownHostException e) {
        return host
            + " does not resolve to any address, so it cannot be checked (a name must resolve"
            + " when the callout is made; check its spelling and the DNS)";
      }
      if (addresses.length == 0) {
        return host + " does not resolve to any address, so it cannot be checked";
      }
    }
    for (InetAddress a : addresses) {
      String why = refusal(a);
      if (why != null) {
        InetAddress carried = embeddedIpv4(a);
        String shown =
            a.getHostAddress()
                + (carried == a ? "" : " (carrying " + carried.getHostAddress() + ")");
        String subject =
            literal == null
                ? host + " resolves to " + shown + ", which is"
                : shown.equals(h) ? host + " is" : host + " is " + shown + ",";
        return subject + " " + why;
      }
    }
    return null;
  }

  /** Why this address is refused, or null. */
  @Nullable String refusal(InetAddress address) {
    InetAddress a = embeddedIpv4(address);
    if (allowed.stream().anyMatch(c -> c.contains(a) || c.contains(address))) {
      return null;
    }
    String category = category(a);
    if (category == null) {
      return null;
    }
    boolean privateKind = !category.startsWith("a metadata") && !category.startsWith("a reserved");
    if (allowPrivate && privateKind) {
      return null;
    }
    return category
        + " address; callouts go there only when "
        + (privateKind ? "private networks are allowed (outbound.allowPrivateNetworks) or " : "")
        + "its block is listed in outbound.allowAddresses";
  }

  static @Nullable String category(InetAddress a) {
    if (in(METADATA, a)) {
      return "a metadata";
    }
    if (in(LOOPBACK, a)) {
      return "a loopback";
    }
    if (in(UNSPECIFIED, a)) {
      return "an unspecified (this host)";
    }
    if (in(PRIVATE, a)) {
      return "a private";
    }
    if (in(LINK_LOCAL, a)) {
      return "a link-local";
    }
    if (in(SHARED, a)) {
      return "a shared (carrier-grade NAT)";
    }
    if (in(RESERVED, a)) {
      return "a reserved, documentation or multicast";
    }
    return null;
  }

  private static boolean in(List<Cidr> blocks, InetAddress a) {
    return blocks.stream().anyMatch(c -> c.contains(a));
  }

  /**
   * The IPv4 address an IPv6 address carries (IPv4-mapped, IPv4-compatible, NAT64, 6to4), so that
   * each is judged as the IPv4 address it reaches; any other address as it is.
   */
  static InetAddress embeddedIpv4(InetAddress address) {
    if (!(address instanceof Inet6Address)) {
      return address;
    }
    byte[] b = address.getAddress();
    boolean zeros80 = allZero(b, 0, 10);
    try {
      if (zeros80 && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
        return InetAddress.getByAddress(java.util.Arrays.copyOfRange(b, 12, 16));
      }
      if (zeros80 && b[10] == 0 && b[11] == 0 && !allZero(b, 12, 15)) {
        return InetAddress.getByAddress(
            java.util.Arrays.copyOfRange(b, 12, 16)); // ::a.b.c.d (not :: or ::1)
      }
      if ((b[0] & 0xff) == 0x00
          && (b[1] & 0xff) == 0x64
          && (b[2] & 0xff) == 0xff
          && (b[3] & 0xff) == 0x9b
          && allZero(b, 4, 12)) {
        return InetAddress.getByAddress(java.util.Arrays.copyOfRange(b, 12, 16)); // 64:ff9b::/96
      }
      if ((b[0] & 0xff) == 0x20 && (b[1] & 0xff) == 0x02) {
        return InetAddress.getByAddress(
            java.util.Arrays.copyOfRange(b, 2, 6)); // 2002:aabb:ccdd::/48
      }
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e); // four bytes are always an address
    }
    return address;
  }

  private static boolean allZero(byte[] b, int from, int to) {
    for (int i = from; i < to; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return true;
  }

  /**
   * The address a numeric host stands for, in any form an inet_aton-style resolver reads (1 to 4
   * parts, each decimal, octal with a leading 0, or hex with 0x), or an IPv6 literal; null for a
   * name.
   */
  static @Nullable InetAddress literal(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    if (h.endsWith(".")) {
      h = h.substring(0, h.length() - 1); // "127.0.0.1." is the same address
    }
    try {
      if (h.contains(":")) {
        int zone = h.indexOf('%');
        String bare = zone < 0 ? h : h.substring(0, zone);
        return bare.matches("[0-9a-f:.]+") ? InetAddress.getByName(bare) : null;
      }
      String[] parts = h.split("\\.", -1);
      if (parts.length < 1 || parts.length > 4) {
        return null;
      }
      long[] v = new long[parts.length];
      for (int i = 0; i < parts.length; i++) {
        Long n = number(parts[i]);
        if (n == null) {
          return null;
        }
        v[i] = n;
      }
      long last = v[v.length - 1];
      long value =
          switch (v.length) {
            case 1 -> last;
            case 2 -> v[0] > 0xff || last > 0xffffffL ? -1 : v[0] << 24 | last;
            case 3 ->
                v[0] > 0xff || v[1] > 0xff || last > 0xffff ? -1 : v[0] << 24 | v[1] << 16 | last;
            default ->
                v[0] > 0xff || v[1] > 0xff || v[2] > 0xff || last > 0xff
                    ? -1
                    : v[0] << 24 | v[1] << 16 | v[2] << 8 | last;
          };
      if (value < 0 || value > 0xffffffffL) {
        return null;
      }
      return InetAddress.getByAddress(
          new byte[] {
            (byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value
          });
    } catch (UnknownHostException e) {
      return null;
    }
  }

  private static @Nullable Long number(String part) {
    try {
      if (part.startsWith("0x")) {
        return part.length() == 2 ? 0L : Long.parseLong(part.substring(2), 16);
      }
      if (part.length() > 1 && part.startsWith("0")) {
        return Long.parseLong(part.substring(1), 8);
      }
      return part.isEmpty() ? null : Long.parseLong(part, 10);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static List<Cidr> cidrs(String... blocks) {
    return java.util.Arrays.stream(blocks).map(Cidr::parse).toList();
  }
}
