package dev.headend.tftp.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Codec round trips, garbage handling and netascii translation, over generated input. */
class TftpWirePropertiesTest {
  @Property(tries = 5000)
  void garbageOnlyRaisesTheTypedError(@ForAll @Size(max = 120) byte[] bytes) {
    try {
      TftpPacket p = TftpPacket.decode(ByteBuffer.wrap(bytes));
      // Whatever decodes re-encodes to exactly the same bytes.
      assertArrayEquals(bytes, p.toBytes());
    } catch (MalformedTftpPacketException e) {
      assertTrue(e.offset() >= 0 && e.offset() <= bytes.length);
    }
  }

  @Provide
  Arbitrary<String> text() {
    return Arbitraries.strings().withCharRange((char) 1, (char) 255).ofMaxLength(40);
  }

  @Provide
  Arbitrary<TftpPacket> packets() {
    Arbitrary<List<TftpOption>> options =
        Combinators.combine(text().filter(s -> !s.isEmpty()), text())
            .as(TftpOption::new)
            .list()
            .ofMaxSize(6);
    Arbitrary<Integer> block = Arbitraries.integers().between(0, 65535);
    return Arbitraries.oneOf(
        Combinators.combine(
                Arbitraries.of(true, false), text(), text().filter(s -> !s.isEmpty()), options)
            .as(TftpPacket.Request::new),
        Combinators.combine(block, Arbitraries.bytes().array(byte[].class).ofMaxSize(600))
            .as(TftpPacket.Data::of),
        block.map(TftpPacket.Ack::new),
        Combinators.combine(block, text()).as(TftpPacket.ErrorPacket::new),
        options.map(TftpPacket.OptionAck::new));
  }

  @Property(tries = 2000)
  void packetsRoundTrip(@ForAll("packets") TftpPacket p) throws Exception {
    byte[] wire = p.toBytes();
    assertEquals(p.encodedLength(), wire.length);
    TftpPacket back = TftpPacket.decode(ByteBuffer.wrap(wire));
    if (p instanceof TftpPacket.Data) {
      assertEquals(((TftpPacket.Data) p).block(), ((TftpPacket.Data) back).block());
      assertEquals(((TftpPacket.Data) p).data(), ((TftpPacket.Data) back).data());
    } else {
      assertEquals(p, back);
    }
    assertArrayEquals(wire, back.toBytes());
  }

  @Property(tries = 2000)
  void netasciiRoundTripsAcrossAnyChunking(
      @ForAll @Size(max = 400) byte[] local,
      @ForAll @IntRange(min = 1, max = 17) int outChunk,
      @ForAll @IntRange(min = 1, max = 13) int inChunk) {
    // Encode with a small output buffer (a CR LF may straddle two blocks).
    Netascii.Encoder enc = new Netascii.Encoder();
    ByteBuffer src = ByteBuffer.wrap(local);
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    ByteBuffer block = ByteBuffer.allocate(outChunk);
    while (src.hasRemaining() || enc.hasPending()) {
      block.clear();
      enc.translate(src, block);
      block.flip();
      wire.write(block.array(), 0, block.limit());
    }
    byte[] w = wire.toByteArray();
    for (int i = 0; i < w.length; i++) {
      if (w[i] == '\n') {
        assertTrue(i > 0 && w[i - 1] == '\r', "bare LF on the wire");
      }
      if (w[i] == '\r') {
        assertTrue(i + 1 < w.length && (w[i + 1] == '\n' || w[i + 1] == 0), "bare CR on the wire");
      }
    }
    // Decode fed in other chunk sizes.
    Netascii.Decoder dec = new Netascii.Decoder();
    ByteBuffer out = ByteBuffer.allocate(w.length + 1);
    for (int i = 0; i < w.length; i += inChunk) {
      dec.translate(ByteBuffer.wrap(w, i, Math.min(inChunk, w.length - i)), out);
    }
    dec.finish(out);
    out.flip();
    byte[] back = new byte[out.remaining()];
    out.get(back);
    assertArrayEquals(local, back);
    assertFalse(enc.hasPending());
  }
}
