package dev.headend.dns.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class DnsTcpFramerTest {

  @Property
  void reassemblesMessagesFromAnySplit(
      @ForAll("messages") List<byte[]> messages, @ForAll("cuts") List<Integer> cuts)
      throws Exception {
    ByteArrayOutputStream stream = new ByteArrayOutputStream();
    for (byte[] m : messages) {
      stream.writeBytes(DnsTcpFramer.framed(m).array());
    }
    byte[] all = stream.toByteArray();
    DnsTcpFramer framer = new DnsTcpFramer();
    List<byte[]> got = new ArrayList<>();
    int pos = 0;
    int cut = 0;
    while (pos < all.length) {
      int size = Math.min(all.length - pos, cuts.isEmpty() ? 7 : cuts.get(cut++ % cuts.size()));
      ByteBuffer read = ByteBuffer.wrap(all, pos, size).slice();
      ByteBuffer m;
      while ((m = framer.next(read)) != null) {
        byte[] copy = new byte[m.remaining()];
        m.get(copy);
        got.add(copy);
      }
      assertFalse(read.hasRemaining(), "each read is consumed");
      pos += size;
    }
    assertFalse(framer.hasPartialMessage());
    assertEquals(messages.size(), got.size());
    for (int i = 0; i < messages.size(); i++) {
      assertArrayEquals(messages.get(i), got.get(i));
    }
  }

  @Test
  void holdsAPartialMessageUntilTheRestArrives() throws Exception {
    DnsTcpFramer framer = new DnsTcpFramer();
    assertNull(framer.next(ByteBuffer.wrap(new byte[] {0})));
    assertTrue(framer.hasPartialMessage());
    assertNull(framer.next(ByteBuffer.wrap(new byte[] {3, 'a'})));
    ByteBuffer m = framer.next(ByteBuffer.wrap(new byte[] {'b', 'c', 0}));
    assertEquals("abc", new String(m.array(), 0, 3, java.nio.charset.StandardCharsets.US_ASCII));
    ByteBuffer rest = ByteBuffer.wrap(new byte[] {0});
    assertNull(framer.next(rest), "the next frame's first length byte alone is not a message");
    assertTrue(framer.hasPartialMessage());
  }

  @Test
  void aZeroLengthFrameIsMalformed() {
    DnsTcpFramer framer = new DnsTcpFramer();
    MalformedDnsMessageException e =
        assertThrows(
            MalformedDnsMessageException.class,
            () -> framer.next(ByteBuffer.wrap(new byte[] {0, 0, 1})));
    assertEquals("zero-length DNS message in the TCP stream", e.reason());
  }

  @Test
  void refusesToFrameOversizedMessages() {
    assertThrows(IllegalArgumentException.class, () -> DnsTcpFramer.framed(new byte[65_536]));
    assertEquals(65_537, DnsTcpFramer.framed(new byte[65_535]).remaining());
  }

  @Provide
  Arbitrary<List<byte[]>> messages() {
    return Arbitraries.oneOf(
            Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(40),
            Arbitraries.bytes().array(byte[].class).ofMinSize(250).ofMaxSize(700))
        .list()
        .ofMaxSize(12);
  }

  @Provide
  Arbitrary<List<Integer>> cuts() {
    return Arbitraries.integers().between(1, 300).list().ofMaxSize(10);
  }
}
