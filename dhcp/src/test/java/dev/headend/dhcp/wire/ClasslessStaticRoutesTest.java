package dev.headend.dhcp.wire;

import static dev.headend.dhcp.wire.Wire.dhcp;
import static dev.headend.dhcp.wire.Wire.join;
import static dev.headend.dhcp.wire.Wire.option;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.headend.core.net.IpPrefix;
import dev.headend.core.net.Ipv4Address;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Option 121, RFC 3442: width, significant octets of the destination, router. */
class ClasslessStaticRoutesTest {

  private static byte[] encode(List<ClasslessRoute> routes) {
    return DhcpOption.CLASSLESS_STATIC_ROUTES.encode(routes);
  }

  private static List<ClasslessRoute> decode(int... value) throws MalformedDhcpMessageException {
    DhcpMessage m = DhcpCodec.decode(dhcp(join(option(121, value), new int[] {255})));
    return m.classlessRoutes().orElseThrow();
  }

  /** RFC 3442 §3's table of destination descriptors, router 192.0.2.1 appended. */
  @ParameterizedTest
  @CsvSource({
    "0.0.0.0/0, 00",
    "10.0.0.0/8, 080a",
    "10.0.0.0/9, 090a00",
    "10.17.0.0/16, 100a11",
    "10.27.129.0/24, 180a1b81",
    "10.229.0.128/25, 190ae50080",
    "10.198.122.47/32, 200ac67a2f",
  })
  void encodesTheDestinationDescriptorsOfRfc3442Section3(String prefix, String descriptor)
      throws Exception {
    ClasslessRoute route = ClasslessRoute.of(prefix, "192.0.2.1");
    byte[] wire = encode(List.of(route));
    assertEquals(descriptor + "c0000201", HexFormat.of().formatHex(wire));
    int[] value = new int[wire.length];
    for (int i = 0; i < wire.length; i++) {
      value[i] = wire[i] & 0xff;
    }
    assertEquals(List.of(route), decode(value));
  }

  @Test
  void everyPrefixLengthFrom0To32UsesCeilOfWidthOver8Octets() throws Exception {
    List<ClasslessRoute> routes = new ArrayList<>();
    int expected = 0;
    for (int width = 0; width <= 32; width++) {
      routes.add(
          new ClasslessRoute(
              IpPrefix.containing(Ipv4Address.parse("172.31.255.255"), width),
              new Ipv4Address(width)));
      expected += 1 + (width + 7) / 8 + 4;
    }
    routes.addAll(List.copyOf(routes));
    expected *= 2;
    DhcpMessage m = DhcpMessage.builder().classlessRoutes(routes).build();
    assertEquals(expected, m.option(121).orElseThrow().length);
    assertTrue(expected > 255, "long enough to need two instances (RFC 3396)");
    assertEquals(routes, DhcpCodec.decode(m.encode()).classlessRoutes().orElseThrow());
  }

  @Test
  void aDefaultRouteIsWidthZeroWithNoDestinationOctets() throws Exception {
    List<ClasslessRoute> routes = decode(0, 10, 0, 0, 1);
    assertEquals(List.of(ClasslessRoute.of("0.0.0.0/0", "10.0.0.1")), routes);
  }

  @Test
  void aZeroRouterMeansOnLink() throws Exception {
    assertEquals(
        List.of(ClasslessRoute.of("192.168.1.0/24", "0.0.0.0")),
        decode(24, 192, 168, 1, 0, 0, 0, 0));
  }

  @Test
  void rejectsAWidthAbove32() {
    MalformedDhcpMessageException e =
        assertThrows(MalformedDhcpMessageException.class, () -> decode(33, 1, 2, 3, 4, 5, 6, 7, 8));
    assertEquals(242, e.offset());
  }

  @Test
  void rejectsARouteCutShort() {
    MalformedDhcpMessageException e =
        assertThrows(
            MalformedDhcpMessageException.class,
            () -> decode(8, 10, 10, 0, 0, 1, 24, 192, 168, 1, 10, 0));
    assertEquals(242 + 6, e.offset(), "the second route's width");
    assertThrows(MalformedDhcpMessageException.class, () -> decode(32, 10, 0, 0, 1));
  }

  @Test
  void rejectsAnEmptyOption() {
    assertThrows(MalformedDhcpMessageException.class, () -> decode());
    assertThrows(MalformedDhcpMessageException.class, () -> decode(0, 0, 0, 0));
  }

  @Test
  void rejectsHostBitsBeyondTheWidth() {
    MalformedDhcpMessageException e =
        assertThrows(MalformedDhcpMessageException.class, () -> decode(12, 10, 17, 0, 0, 0, 1));
    assertTrue(e.getMessage().contains("host bits"), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 7, 8, 9, 15, 16, 17, 23, 24, 25, 31, 32})
  void roundTripsThroughTheBuilder(int width) throws Exception {
    ClasslessRoute r =
        new ClasslessRoute(
            IpPrefix.containing(Ipv4Address.parse("203.0.113.77"), width),
            Ipv4Address.parse("203.0.113.1"));
    DhcpMessage m = DhcpMessage.builder().classlessRoutes(List.of(r, r)).build();
    assertEquals(List.of(r, r), DhcpCodec.decode(m.encode()).classlessRoutes().orElseThrow());
    assertArrayEquals(encode(List.of(r, r)), m.option(121).orElseThrow());
  }

  @Test
  void buildingRefusesNoRoutesAndIpv6() {
    assertThrows(
        IllegalArgumentException.class, () -> DhcpMessage.builder().classlessRoutes(List.of()));
    assertThrows(
        IllegalArgumentException.class,
        () -> new ClasslessRoute(IpPrefix.parse("2001:db8::/32"), Ipv4Address.ANY));
  }
}
