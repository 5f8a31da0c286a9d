package dev.headend.core.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class MacAddressTest {

  @ParameterizedTest
  @ValueSource(
      strings = {"00:1a:2b:3c:4d:5e", "00-1A-2B-3C-4D-5E", "001a.2b3c.4d5e", "001A2B3C4D5E"})
  void readsEveryCommonForm(String text) {
    MacAddress m = MacAddress.parse(text);
    assertEquals(0x001a2b3c4d5eL, m.value());
    assertEquals("00:1a:2b:3c:4d:5e", m.toString());
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "00:1a:2b:3c:4         | 0  | not 13 characters",
        "00:1a:2b:3c:4d        | 2  | unexpected ':'",
        "00:1a:2b:3c:4d:5g     | 16 | unexpected 'g'",
        "00:1a-2b:3c:4d:5e     | 5  | unexpected '-'",
        "00.1a.2b.3c.4d.5e     | 2  | expected ':' or '-'",
        "001a:2b3c:4d5e        | 4  | unexpected ':'",
        "0:1a:2b:3c:4d:5e:ff   | 0  | not 19 characters",
        "001a2b3c4d5z          | 11 | unexpected 'z'",
      })
  void refusesMalformedText(String text, int index, String reason) {
    AddressFormatException e =
        assertThrows(AddressFormatException.class, () -> MacAddress.parse(text));
    assertTrue(e.getMessage().contains(reason), e.getMessage());
    assertEquals(index, e.index(), e.getMessage());
  }

  @ParameterizedTest
  @CsvSource({
    "01:00:5e:00:00:fb, true, false",
    "02:00:00:00:00:01, false, true",
    "ff:ff:ff:ff:ff:ff, true, true",
    "00:1a:2b:3c:4d:5e, false, false"
  })
  void readsTheIndividualGroupAndLocalBits(String text, boolean multicast, boolean local) {
    MacAddress m = MacAddress.parse(text);
    assertEquals(multicast, m.isMulticast());
    assertEquals(local, m.isLocallyAdministered());
    assertEquals(text.equals("ff:ff:ff:ff:ff:ff"), m.isBroadcast());
  }

  @ParameterizedTest
  @ValueSource(longs = {-1L, 1L << 48})
  void refusesValuesWiderThan48Bits(long v) {
    assertThrows(IllegalArgumentException.class, () -> new MacAddress(v));
  }

  @Property
  void bytesTextAndBuffersRoundTrip(@ForAll @LongRange(min = 0, max = 0xffff_ffff_ffffL) long v) {
    MacAddress m = new MacAddress(v);
    assertEquals(m, MacAddress.parse(m.toString()));
    assertEquals(m, MacAddress.ofBytes(m.toBytes()));
    ByteBuffer b = ByteBuffer.allocate(8);
    b.put((byte) 7);
    m.writeTo(b);
    assertEquals(7, b.position());
    assertEquals(m, MacAddress.readFrom(b, 1));
    assertArrayEquals(m.toBytes(), Arrays.copyOfRange(b.array(), 1, 7));
    assertEquals((int) (v >>> 24), m.oui());
    assertFalse(m.toString().chars().anyMatch(Character::isUpperCase));
  }
}
