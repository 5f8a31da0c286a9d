package dev.headend.tftp.wire;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A TFTP packet (RFC 1350, with RFC 2347's OACK and options): {@link Request} (RRQ, WRQ), {@link
 * Data}, {@link Ack}, {@link ErrorPacket} and {@link OptionAck}.
 *
 * <p>{@link #decode} reads a datagram without changing the caller's buffer; strings (file names,
 * modes, options, error messages) are decoded as ISO-8859-1 so that any byte survives a decode and
 * encode unchanged. A {@link Data} packet's content is a read-only view of the caller's buffer:
 * copy it ({@link Data#copy()}) before the buffer is reused.
 */
public sealed interface TftpPacket {
  /** Opcode 1, read request. */
  int RRQ = 1;

  /** Opcode 2, write request. */
  int WRQ = 2;

  /** Opcode 3, data. */
  int DATA = 3;

  /** Opcode 4, acknowledgement. */
  int ACK = 4;

  /** Opcode 5, error. */
  int ERROR = 5;

  /** Opcode 6, option acknowledgement (RFC 2347). */
  int OACK = 6;

  /** The largest block size RFC 2348 allows. */
  int MAX_BLKSIZE = 65464;

  /** The opcode. */
  int opcode();

  /** Encoded length in bytes. */
  int encodedLength();

  /**
   * Writes the packet at {@code out}'s position and advances it.
   *
   * @throws java.nio.BufferOverflowException if there is not {@link #encodedLength()} room
   */
  void encode(ByteBuffer out);

  /** The packet as a new byte array. */
  default byte[] toBytes() {
    ByteBuffer b = ByteBuffer.allocate(encodedLength());
    encode(b);
    return b.array();
  }

  /**
   * Decodes one datagram (position to limit). The buffer's position and limit are not changed.
   *
   * @throws MalformedTftpPacketException if the bytes are not a TFTP packet
   */
  static TftpPacket decode(ByteBuffer datagram) throws MalformedTftpPacketException {
    ByteBuffer b = datagram.duplicate();
    int base = b.position();
    int len = b.remaining();
    if (len < 2) {
      throw new MalformedTftpPacketException(
          "packet shorter than an opcode (" + len + " bytes)", 0);
    }
    int opcode = b.getShort(base) & 0xffff;
    switch (opcode) {
      case RRQ:
      case WRQ:
        return Request.decode(b, base, len, opcode == WRQ);
      case DATA:
        if (len < 4) {
          throw new MalformedTftpPacketException("DATA shorter than 4 bytes", len);
        }
        if (len - 4 > MAX_BLKSIZE) {
          throw new MalformedTftpPacketException(
              "DATA carries " + (len - 4) + " bytes, more than the largest block size", 4);
        }
        ByteBuffer content = b.duplicate();
        content.position(base + 4).limit(base + len);
        return new Data(b.getShort(base + 2) & 0xffff, content.slice().asReadOnlyBuffer());
      case ACK:
        if (len != 4) {
          throw new MalformedTftpPacketException(
              "ACK must be 4 bytes, was " + len, Math.min(len, 4));
        }
        return new Ack(b.getShort(base + 2) & 0xffff);
      case ERROR:
        {
          if (len < 5) {
            throw new MalformedTftpPacketException("ERROR shorter than 5 bytes", len);
          }
          int code = b.getShort(base + 2) & 0xffff;
          PacketCursor c = new PacketCursor(b, base, len, 4);
          String message = c.string("error message");
          c.end();
          return new ErrorPacket(code, message);
        }
      case OACK:
        {
          PacketCursor c = new PacketCursor(b, base, len, 2);
          return new OptionAck(c.options());
        }
      default:
        throw new MalformedTftpPacketException("unknown opcode " + opcode, 0);
    }
  }

  /**
   * A read (RRQ) or write (WRQ) request.
   *
   * @param write whether it is a WRQ
   * @param filename the file name as sent
   * @param mode the transfer mode as sent ({@code octet}, {@code netascii}, {@code mail}, any case)
   * @param options the options in the order sent
   */
  record Request(boolean write, String filename, String mode, List<TftpOption> options)
      implements TftpPacket {
    /** Checks the parts and copies the option list. */
    public Request {
      Objects.requireNonNull(filename, "filename");
      Objects.requireNonNull(mode, "mode");
      if (filename.indexOf(0) >= 0 || mode.indexOf(0) >= 0 || mode.isEmpty()) {
        throw new IllegalArgumentException("filename and mode must not hold NUL; mode not empty");
      }
      options = List.copyOf(options);
    }

    /** A read request in octet mode with these options. */
    public static Request read(String filename, TftpOption... options) {
      return new Request(false, filename, "octet", List.of(options));
    }

    /** A write request in octet mode with these options. */
    public static Request write(String filename, TftpOption... options) {
      return new Request(true, filename, "octet", List.of(options));
    }

    static Request decode(ByteBuffer b, int base, int len, boolean write)
        throws MalformedTftpPacketException {
      PacketCursor c = new PacketCursor(b, base, len, 2);
      String filename = c.string("file name");
      String mode = c.string("mode");
      if (mode.isEmpty()) {
        throw new MalformedTftpPacketException("empty mode", c.at - 1);
      }
      return new Request(write, filename, mode, c.options());
    }

    /** The mode, lowercased. */
    public String modeKey() {
      return mode.toLowerCase(Locale.ROOT);
    }

    /** Whether the mode is {@code netascii} (any case). */
    public boolean netascii() {
      return modeKey().equals("netascii");
    }

    /** The first option with this name (any case), or {@code null}. */
    public TftpOption option(String name) {
      for (TftpOption o : options) {
        if (o.is(name)) {
          return o;
        }
      }
      return null;
    }

    @Override
    public int opcode() {
      return write ? WRQ : RRQ;
    }

    @Override
    public int encodedLength() {
      return 2 + filename.length() + 1 + mode.length() + 1 + optionsLength(options);
    }

    @Override
    public void encode(ByteBuffer out) {
      out.putShort((short) opcode());
      putString(out, filename);
      putString(out, mode);
      putOptions(out, options);
    }
  }

  /**
   * A block of a transfer.
   *
   * @param block the block number, 0..65535 (it wraps in long transfers)
   * @param data the content, read-only; a view of the decoded datagram
   */
  record Data(int block, ByteBuffer data) implements TftpPacket {
    /** Checks the block number and size. */
    public Data {
      checkBlock(block);
      if (data.remaining() > MAX_BLKSIZE) {
        throw new IllegalArgumentException("DATA content over " + MAX_BLKSIZE + " bytes");
      }
      data = data.slice().asReadOnlyBuffer();
    }

    /** A DATA packet holding a copy of these bytes. */
    public static Data of(int block, byte[] content) {
      return new Data(block, ByteBuffer.wrap(content.clone()));
    }

    /** This packet with its own copy of the content. */
    public Data copy() {
      ByteBuffer c = ByteBuffer.allocate(data.remaining());
      c.put(data.duplicate()).flip();
      return new Data(block, c);
    }

    /** Content length in bytes. */
    public int length() {
      return data.remaining();
    }

    @Override
    public int opcode() {
      return DATA;
    }

    @Override
    public int encodedLength() {
      return 4 + data.remaining();
    }

    @Override
    public void encode(ByteBuffer out) {
      out.putShort((short) DATA).putShort((short) block).put(data.duplicate());
    }
  }

  /**
   * An acknowledgement.
   *
   * @param block the block acknowledged (0 acknowledges an OACK or a WRQ)
   */
  record Ack(int block) implements TftpPacket {
    /** Checks the block number. */
    public Ack {
      checkBlock(block);
    }

    @Override
    public int opcode() {
      return ACK;
    }

    @Override
    public int encodedLength() {
      return 4;
    }

    @Override
    public void encode(ByteBuffer out) {
      out.putShort((short) ACK).putShort((short) block);
    }
  }

  /**
   * An error, which ends the transfer.
   *
   * @param code the error code (see {@link ErrorCode}; unknown codes are kept)
   * @param message the message as sent
   */
  record ErrorPacket(int code, String message) implements TftpPacket {
    /** Checks the code and message. */
    public ErrorPacket {
      if (code < 0 || code > 0xffff) {
        throw new IllegalArgumentException("error code must be 0..65535, was " + code);
      }
      Objects.requireNonNull(message, "message");
      if (message.indexOf(0) >= 0) {
        throw new IllegalArgumentException("error message must not hold NUL");
      }
    }

    /**
     * An error with a defined code. The message is made sendable: {@code null} becomes empty, NUL
     * and characters outside ISO-8859-1 become {@code ?}, and it is cut to 200 characters.
     */
    public static ErrorPacket of(ErrorCode code, String message) {
      String m = message == null ? "" : message;
      StringBuilder b = new StringBuilder(Math.min(m.length(), 200));
      for (int i = 0; i < m.length() && i < 200; i++) {
        char c = m.charAt(i);
        b.append(c == 0 || c > 0xff ? '?' : c);
      }
      return new ErrorPacket(code.code(), b.toString());
    }

    @Override
    public int opcode() {
      return ERROR;
    }

    @Override
    public int encodedLength() {
      return 4 + message.length() + 1;
    }

    @Override
    public void encode(ByteBuffer out) {
      out.putShort((short) ERROR).putShort((short) code);
      putString(out, message);
    }
  }

  /**
   * An option acknowledgement (RFC 2347): the options the server accepted, with their values.
   *
   * @param options the options in the order sent
   */
  record OptionAck(List<TftpOption> options) implements TftpPacket {
    /** Copies the list. */
    public OptionAck {
      options = List.copyOf(options);
    }

    @Override
    public int opcode() {
      return OACK;
    }

    @Override
    public int encodedLength() {
      return 2 + optionsLength(options);
    }

    @Override
    public void encode(ByteBuffer out) {
      out.putShort((short) OACK);
      putOptions(out, options);
    }
  }

  private static void checkBlock(int block) {
    if (block < 0 || block > 0xffff) {
      throw new IllegalArgumentException("block number must be 0..65535, was " + block);
    }
  }

  private static int optionsLength(List<TftpOption> options) {
    int n = 0;
    for (TftpOption o : options) {
      n += o.name().length() + 1 + o.value().length() + 1;
    }
    return n;
  }

  private static void putOptions(ByteBuffer out, List<TftpOption> options) {
    for (TftpOption o : options) {
      putString(out, o.name());
      putString(out, o.value());
    }
  }

  static void putString(ByteBuffer out, String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c > 0xff) {
        throw new IllegalArgumentException(
            "TFTP strings are 8-bit; got U+" + Integer.toHexString(c));
      }
      out.put((byte) c);
    }
    out.put((byte) 0);
  }
}
