package dev.headend.cache.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A final or interim HTTP response: status code, reason phrase, header fields and content.
 *
 * <p>The content is copied on the way in and handed out read-only, so a stored response cannot be
 * changed behind the cache's back. Framing ({@code Content-Length}, {@code Transfer-Encoding}) is
 * the transport's business; the fields here are the ones the cache reasons about.
 */
public final class HttpResponse {
  private final int status;
  private final String reason;
  private final HttpFields fields;
  private final byte[] content;

  /**
   * @param status 100..999
   * @param reason the reason phrase (may be empty)
   * @param fields header fields
   * @param content the content, copied ({@code null} means none)
   */
  public HttpResponse(int status, String reason, HttpFields fields, byte[] content) {
    this(status, reason, fields, content == null ? new byte[0] : content.clone(), true);
  }

  private HttpResponse(
      int status, String reason, HttpFields fields, byte[] content, boolean owned) {
    if (status < 100 || status > 999) {
      throw new IllegalArgumentException("status must be 100..999, was " + status);
    }
    this.status = status;
    this.reason = Objects.requireNonNull(reason, "reason");
    this.fields = Objects.requireNonNull(fields, "fields");
    this.content = content;
  }

  /** A response with text content (UTF-8) and the given fields. */
  public static HttpResponse of(int status, HttpFields fields, String content) {
    return new HttpResponse(
        status, reasonPhrase(status), fields, content.getBytes(StandardCharsets.UTF_8), true);
  }

  /** The status code. */
  public int status() {
    return status;
  }

  /** The reason phrase. */
  public String reason() {
    return reason;
  }

  /** The header fields. */
  public HttpFields fields() {
    return fields;
  }

  /** The content, read-only. */
  public ByteBuffer content() {
    return ByteBuffer.wrap(content).asReadOnlyBuffer();
  }

  /** The content length in bytes. */
  public int contentLength() {
    return content.length;
  }

  /** A copy of the content. */
  public byte[] contentBytes() {
    return content.clone();
  }

  /** A copy with other fields (the content is shared, not copied). */
  public HttpResponse withFields(HttpFields newFields) {
    return new HttpResponse(status, reason, newFields, content, true);
  }

  /** A copy with another status and reason (the content is shared, not copied). */
  public HttpResponse withStatus(int newStatus, String newReason) {
    return new HttpResponse(newStatus, newReason, fields, content, true);
  }

  /** A copy without content (for HEAD and 304). */
  public HttpResponse withoutContent() {
    return content.length == 0 ? this : new HttpResponse(status, reason, fields, new byte[0], true);
  }

  HttpResponse withContentShared(byte[] newContent) {
    return new HttpResponse(status, reason, fields, newContent, true);
  }

  byte[] contentShared() {
    return content;
  }

  /** The usual reason phrase for a status code, or an empty string. */
  public static String reasonPhrase(int status) {
    switch (status) {
      case 200:
        return "OK";
      case 203:
        return "Non-Authoritative Information";
      case 204:
        return "No Content";
      case 206:
        return "Partial Content";
      case 304:
        return "Not Modified";
      case 400:
        return "Bad Request";
      case 404:
        return "Not Found";
      case 412:
        return "Precondition Failed";
      case 416:
        return "Range Not Satisfiable";
      case 500:
        return "Internal Server Error";
      case 502:
        return "Bad Gateway";
      case 503:
        return "Service Unavailable";
      case 504:
        return "Gateway Timeout";
      default:
        return "";
    }
  }

  @Override
  public String toString() {
    return status + " " + reason + " (" + fields.size() + " fields, " + content.length + " bytes)";
  }
}
