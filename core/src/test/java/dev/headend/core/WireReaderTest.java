package dev.headend.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ReadOnlyBufferException;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class WireReaderTest {

  /** A module's own decode error, as every protocol module declares one. */
  static final class ToyDecodeException extends MalformedMessageException {
    private static final long serialVersionUID = 1L;

    ToyDecodeException(String reason, int offset) {
      super(reason, offset);
    }
  }

  private static WireReader<ToyDecodeException> reader(ByteBuffer b) {
    return WireReader.of(b, ToyDecodeException::new);
  }

  private static ByteBuffer bytes(int... values) {
    ByteBuffer b = ByteBuffer.allocate(values.length);
    for (int v : values) {
      b.put((byte) v);
    }
    return b.flip();
  }

  @Test
  void readsBigEndianWhateverTheBufferOrder() throws Exception {
    ByteBuffer b =
        bytes(0x12, 0x34, 0xff, 0xfe, 0xfd, 0xfc, 0x80, 0, 0, 1).order(ByteOrder.LITTLE_ENDIAN);
    WireReader<ToyDecodeException> r = reader(b);
    assertEquals(0x1234, r.u16("id"));
    assertEquals(0xfffefdfcL, r.u32("ttl"));
    assertEquals(0x80000001, r.s32("raw"));
    assertFalse(r.hasRemaining());
    r.expectEnd("message");
  }

  @Test
  void neverMovesTheCallersBuffer() throws Exception {
    ByteBuffer b = bytes(9, 9, 1, 2, 3, 4);
    b.position(2);
    WireReader<ToyDecodeException> r = reader(b);
    assertEquals(0, r.position(), "offsets count from the buffer's position");
    assertEquals(1, r.u8("a"));
    r.skip(2, "b");
    assertEquals(3, r.position());
    assertEquals(2, b.position());
    assertEquals(6, b.limit());
  }

  @Test
  void truncationNamesTheFieldAndOffset() {
    WireReader<ToyDecodeException> r = reader(bytes(1, 2, 3));
    ToyDecodeException e =
        assertThrows(
            ToyDecodeException.class,
            () -> {
              r.u16("header id");
              r.u16("flags");
            });
    assertEquals(2, e.offset());
    assertEquals("truncated flags: needs 2 bytes, 1 left", e.reason());
    assertEquals("truncated flags: needs 2 bytes, 1 left at byte 2", e.getMessage());
  }

  @Test
  void subReadersAreBoundedByTheirLengthAndKeepAbsoluteOffsets() throws Exception {
    WireReader<ToyDecodeException> r = reader(bytes(2, 0xaa, 0xbb, 0xcc));
    int len = r.u8("option length");
    WireReader<ToyDecodeException> option = r.sub(len, "option");
    assertEquals(1, option.position());
    assertEquals(0xaabb, option.u16("option value"));
    ToyDecodeException e = assertThrows(ToyDecodeException.class, () -> option.u8("past end"));
    assertEquals(3, e.offset());
    assertEquals(0xcc, r.u8("next"), "the parent skipped the option");
    assertThrows(ToyDecodeException.class, () -> reader(bytes(5, 1)).sub(5, "option"));
  }

  @Test
  void atReopensTheWholeMessageForPointers() throws Exception {
    WireReader<ToyDecodeException> r = reader(bytes(7, 8, 9, 10));
    WireReader<ToyDecodeException> inner = r.sub(2, "first two");
    WireReader<ToyDecodeException> pointer = inner.at(3, "pointer");
    assertEquals(10, pointer.u8("target"));
    ToyDecodeException e = assertThrows(ToyDecodeException.class, () -> r.at(5, "pointer"));
    assertTrue(e.reason().contains("outside the 4-byte message"), e.reason());
  }

  @Test
  void countsFromTheWireCannotOutgrowTheBytesPresent() throws Exception {
    WireReader<ToyDecodeException> r = reader(bytes(0, 0, 0, 0, 0, 0));
    assertEquals(3, r.boundedCount(3, 2, "answer count"));
    ToyDecodeException e =
        assertThrows(ToyDecodeException.class, () -> r.boundedCount(65535, 11, "answer count"));
    assertTrue(e.reason().startsWith("answer count of 65535 cannot fit"), e.reason());
    assertThrows(ToyDecodeException.class, () -> r.boundedCount(-1, 1, "count"));
    // counts whose product with the item size would wrap around
    assertThrows(
        ToyDecodeException.class, () -> r.boundedCount((1L << 62) + 0x7fffffffL, 2, "count"));
    assertThrows(ToyDecodeException.class, () -> r.boundedCount((1L << 62) + 1, 4, "count"));
    assertThrows(ToyDecodeException.class, () -> r.boundedCount(Long.MAX_VALUE, 1, "count"));
    assertThrows(ToyDecodeException.class, () -> r.bytes(-1, "negative"));
  }

  @Test
  void slicesAreZeroCopyAndReadOnly() throws Exception {
    ByteBuffer b = bytes(1, 2, 3, 4);
    WireReader<ToyDecodeException> r = reader(b);
    r.skip(1, "x");
    ByteBuffer s = r.slice(2, "payload");
    assertEquals(2, s.remaining());
    assertEquals(2, s.get(0));
    assertThrows(ReadOnlyBufferException.class, () -> s.put(0, (byte) 0));
    b.put(1, (byte) 42);
    assertEquals(42, s.get(0), "a view, not a copy");
    byte[] out = new byte[3];
    r.bytes(out, 1, 1, "last");
    assertArrayEquals(new byte[] {0, 4, 0}, out);
  }

  @Test
  void trailingBytesAreReported() {
    ToyDecodeException e =
        assertThrows(
            ToyDecodeException.class,
            () -> {
              WireReader<ToyDecodeException> r = reader(bytes(1, 2, 3));
              r.u8("only field");
              r.expectEnd("the question");
            });
    assertEquals("2 unexpected bytes after the question", e.reason());
    assertEquals(1, e.offset());
  }

  /**
   * Any sequence of reads over any bytes either succeeds or raises the module's error with an
   * offset inside the message; nothing else escapes and the caller's buffer never moves.
   */
  @Property
  void arbitraryReadsOnlyEverRaiseTheDecodeError(
      @ForAll byte[] data, @ForAll("operations") List<Integer> ops) {
    ByteBuffer b = ByteBuffer.wrap(data);
    WireReader<ToyDecodeException> r = reader(b);
    try {
      for (int op : ops) {
        int arg = op >>> 4;
        switch (op & 0xf) {
          case 0 -> r.u8("u8");
          case 1 -> r.u16("u16");
          case 2 -> r.u32("u32");
          case 3 -> r.bytes(arg - 8, "bytes");
          case 4 -> r = r.sub(arg - 8, "sub");
          case 5 -> r.skip(arg - 8, "skip");
          case 6 -> r = r.at(arg - 8, "at");
          case 7 -> r.slice(arg, "slice");
          case 8 -> r.boundedCount(arg - 8, 1 + (arg & 3), "count");
          case 9 -> r.peekU8("peek");
          default -> r.expectEnd("end");
        }
        assertTrue(r.position() >= 0 && r.position() <= r.limit());
        assertTrue(r.limit() <= data.length);
      }
    } catch (ToyDecodeException e) {
      assertTrue(e.offset() >= 0 && e.offset() <= data.length, e.getMessage());
    }
    assertEquals(0, b.position());
    assertEquals(data.length, b.limit());
  }

  @Provide
  Arbitrary<List<Integer>> operations() {
    return Arbitraries.integers().between(0, 0x3ff).list().ofMaxSize(20);
  }

  @Test
  void offsetIsNeverNegative() {
    assertThrows(IllegalArgumentException.class, () -> new MalformedMessageException("x", -1));
    MalformedMessageException e = new MalformedMessageException("bad label", 12);
    assertEquals("bad label at byte 12", e.getMessage());
    assertEquals(12, e.offset());
    assertFalse(java.io.IOException.class.isAssignableFrom(MalformedMessageException.class));
  }
}
