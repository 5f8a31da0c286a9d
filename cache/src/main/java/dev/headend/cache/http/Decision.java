package dev.headend.cache.http;

import java.util.List;
import java.util.Optional;

/**
 * What {@link HttpCache#lookup} decided for a request: serve from the cache, or send a request
 * upstream and pass the answer back to {@link HttpCache#complete} (or report the failure to {@link
 * HttpCache#fail}).
 */
public final class Decision {
  /** The three things a cache can do with a request. */
  public enum Action {
    /** Answer with {@link #response()}; nothing goes upstream (but see {@link #background()}). */
    SERVE,
    /** Send {@link #upstreamRequest()} to the origin; nothing usable is stored. */
    FORWARD,
    /** Send the conditional {@link #upstreamRequest()} to validate a stored response. */
    VALIDATE
  }

  final Action action;
  final HttpRequest request;
  final HttpResponse response;
  final HttpRequest upstream;
  final StoredResponse selected; // the stored response served or being validated, or null
  final List<StoredResponse> candidates; // stored responses a 304 may select among
  final CacheControl requestCc;
  final Decision background;

  Decision(
      Action action,
      HttpRequest request,
      HttpResponse response,
      HttpRequest upstream,
      StoredResponse selected,
      List<StoredResponse> candidates,
      CacheControl requestCc,
      Decision background) {
    this.action = action;
    this.request = request;
    this.response = response;
    this.upstream = upstream;
    this.selected = selected;
    this.candidates = candidates;
    this.requestCc = requestCc;
    this.background = background;
  }

  /** What to do. */
  public Action action() {
    return action;
  }

  /** The request this decision is about. */
  public HttpRequest request() {
    return request;
  }

  /**
   * For {@link Action#SERVE}: the response to send, with {@code Age} set.
   *
   * @throws IllegalStateException for the other actions
   */
  public HttpResponse response() {
    if (action != Action.SERVE) {
      throw new IllegalStateException("no response to serve: action is " + action);
    }
    return response;
  }

  /**
   * For {@link Action#FORWARD} and {@link Action#VALIDATE}: the request to send upstream,
   * hop-by-hop fields removed and, when validating, the cache's own conditional fields in place of
   * the client's.
   *
   * @throws IllegalStateException for {@link Action#SERVE}
   */
  public HttpRequest upstreamRequest() {
    if (action == Action.SERVE) {
      throw new IllegalStateException("nothing to send upstream: action is SERVE");
    }
    return upstream;
  }

  /**
   * For a stale response served under {@code stale-while-revalidate}: the validation to run after
   * answering, whose result goes to {@link HttpCache#complete} (its returned response is then
   * discarded).
   */
  public Optional<Decision> background() {
    return Optional.ofNullable(background);
  }

  /** The stored response served or being validated, if any. */
  public Optional<StoredResponse> stored() {
    return Optional.ofNullable(selected);
  }

  @Override
  public String toString() {
    return action + " " + request.method() + " " + request.uri();
  }
}
