package dev.headend.cache.http.transport;

import dev.headend.core.MalformedMessageException;

/** An HTTP/1.1 message head or body framing broke RFC 9112. */
final class MalformedHttpMessageException extends MalformedMessageException {
  private static final long serialVersionUID = 1L;

  MalformedHttpMessageException(String reason, int offset) {
    super(reason, offset, null, false);
  }
}
