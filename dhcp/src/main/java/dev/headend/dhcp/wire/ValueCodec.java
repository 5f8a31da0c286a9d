package dev.headend.dhcp.wire;

/**
 * Reads and writes the value of one kind of option. Decoding checks the value against its RFC and
 * raises {@link MalformedDhcpMessageException}; encoding checks the Java value and raises {@link
 * IllegalArgumentException}, so a builder never writes what the decoder would refuse.
 */
interface ValueCodec<T> {
  T decode(OptionValue value) throws MalformedDhcpMessageException;

  byte[] encode(T value);

  /** Reads a value; the reverse of {@link Writer}. */
  @FunctionalInterface
  interface Reader<T> {
    T read(OptionValue value) throws MalformedDhcpMessageException;
  }

  /** Writes a value; the reverse of {@link Reader}. */
  @FunctionalInterface
  interface Writer<T> {
    byte[] write(T value);
  }

  static <T> ValueCodec<T> of(Reader<T> reader, Writer<T> writer) {
    return new ValueCodec<>() {
      @Override
      public T decode(OptionValue value) throws MalformedDhcpMessageException {
        return reader.read(value);
      }

      @Override
      public byte[] encode(T value) {
        return writer.write(value);
      }
    };
  }
}
