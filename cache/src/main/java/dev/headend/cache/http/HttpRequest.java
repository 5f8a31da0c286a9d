package dev.headend.cache.http;

import java.net.URI;
import java.util.Locale;
import java.util.Objects;

/**
 * A request as the cache sees it: method, absolute target URI and header fields. The body of a
 * request never matters to caching and is not carried.
 *
 * <p>The URI must be absolute ({@code http://host/path?query}): it is the cache key (RFC 9111 §2)
 * and what {@code Location} and {@code Content-Location} are resolved against when a cache
 * invalidates (§4.4). A reverse proxy builds it from its scheme, the {@code Host} field and the
 * request target.
 */
public final class HttpRequest {
  private final String method;
  private final URI uri;
  private final HttpFields fields;
  private final String key;

  /**
   * @param method the request method, case-sensitive as in RFC 9110 §9.1 ({@code GET}, not {@code
   *     get})
   * @param uri the absolute target URI
   * @param fields the request's header fields
   */
  public HttpRequest(String method, URI uri, HttpFields fields) {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(uri, "uri");
    Objects.requireNonNull(fields, "fields");
    if (!Tokens.isToken(method)) {
      throw new IllegalArgumentException("method is not a token: " + HttpFields.quote(method));
    }
    if (!uri.isAbsolute() || uri.getRawAuthority() == null) {
      throw new IllegalArgumentException("request URI must be absolute with a host: " + uri);
    }
    this.method = method;
    this.uri = uri;
    this.fields = fields;
    this.key = keyOf(uri);
  }

  private HttpRequest(String method, URI uri, HttpFields fields, String key) {
    this.method = method;
    this.uri = uri;
    this.fields = fields;
    this.key = key;
  }

  /** A GET request with no fields. */
  public static HttpRequest get(String uri) {
    return new HttpRequest("GET", URI.create(uri), HttpFields.empty());
  }

  /** The method. */
  public String method() {
    return method;
  }

  /** The absolute target URI. */
  public URI uri() {
    return uri;
  }

  /** The header fields. */
  public HttpFields fields() {
    return fields;
  }

  /** A copy with other fields. */
  public HttpRequest withFields(HttpFields newFields) {
    return new HttpRequest(method, uri, Objects.requireNonNull(newFields, "fields"), key);
  }

  /** A copy with another method. */
  public HttpRequest withMethod(String newMethod) {
    return new HttpRequest(newMethod, uri, fields);
  }

  /** The cache key: the URI without its fragment, scheme and host lowercased (RFC 9110 §4.2.3). */
  String key() {
    return key;
  }

  private static String keyOf(URI uri) {
    String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
    String authority = uri.getRawAuthority().toLowerCase(Locale.ROOT);
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    String query = uri.getRawQuery();
    return scheme + "://" + authority + path + (query == null ? "" : "?" + query);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof HttpRequest
        && method.equals(((HttpRequest) o).method)
        && uri.equals(((HttpRequest) o).uri)
        && fields.equals(((HttpRequest) o).fields);
  }

  @Override
  public int hashCode() {
    return Objects.hash(method, uri, fields);
  }

  @Override
  public String toString() {
    return method + " " + uri;
  }
}
