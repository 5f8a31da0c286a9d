package dev.headend.dhcp.relay;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.headend.core.Transmit;
import java.nio.ByteBuffer;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class DhcpRelayPropertiesTest {
  @Property(tries = 500)
  void garbageIsDroppedNeverThrown(@ForAll @Size(max = 700) byte[] garbage) {
    DhcpRelay r = DhcpRelayTest.relay();
    r.handle(DhcpRelayTest.NOW, DhcpRelayTest.SERVER, ByteBuffer.wrap(garbage));
    r.handle(DhcpRelayTest.NOW, DhcpRelayTest.CLIENT, ByteBuffer.wrap(garbage));
    int sent = 0;
    for (Transmit t; (t = r.pollTransmit()) != null; ) {
      sent++;
    }
    assertTrue(sent <= 2);
    assertTrue(r.pollEvent() != null, "each datagram is relayed or reported dropped");
  }

  @Property(tries = 500)
  void mutatedRequestsNeverThrow(
      @ForAll @IntRange(min = 0, max = 299) int at, @ForAll byte value, @ForAll byte value2) {
    byte[] d = DhcpRelayTest.discover().encode();
    d[at] = value;
    d[(at * 7) % d.length] = value2;
    DhcpRelay r = DhcpRelayTest.relay();
    r.handle(DhcpRelayTest.NOW, DhcpRelayTest.CLIENT, ByteBuffer.wrap(d));
    assertTrue(r.pollEvent() != null);
  }
}
