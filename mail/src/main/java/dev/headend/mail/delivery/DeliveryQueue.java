package dev.headend.mail.delivery;

import dev.headend.mail.smtp.SmtpReply;
import dev.headend.mail.smtp.client.OutgoingMessage;
import dev.headend.mail.smtp.client.RecipientResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;

/**
 * The retry schedule of outgoing mail, sans-I/O: it says what to deliver when, and turns results
 * into retries and bounces. It never sends, sleeps or reads a clock.
 *
 * <p>A submitted message is split per recipient domain (one SMTP transaction per domain). {@link
 * #due} hands out the attempts whose time has come; the application delivers each (through {@code
 * SmtpDeliverer}, its own I/O, ...) and {@link #report}s the per-recipient results: accepted
 * recipients are done; permanently failed ones become a {@link Bounce}; temporarily failed ones
 * (4xx, no host reachable) are tried again after a delay that starts at {@code firstRetry} and
 * doubles up to {@code maxRetryInterval}, until {@code giveUpAfter} since submission, when they
 * bounce too (RFC 5321 §4.5.4.1: retry at least every 30 minutes, give up after 4–5 days).
 *
 * <pre>{@code
 * DeliveryQueue queue = DeliveryQueue.builder().build();
 * queue.submit(now, message);
 * for (DeliveryQueue.Attempt a : queue.due(now)) {
 *   queue.report(now, a, deliverer.deliver(a.domain(), a.message()).recipients());
 * }
 * for (Bounce b; (b = queue.pollBounce()) != null; ) {
 *   OutgoingMessage report = b.report("mx.example", now); // null: nothing to report
 *   if (report != null) queue.submit(now, report);
 * }
 * Instant wake = queue.pollTimeout();
 * }</pre>
 */
public final class DeliveryQueue {

  /**
   * One delivery to make now.
   *
   * @param id identifies the attempt in {@link #report}
   * @param domain the recipient domain
   * @param message the message with only this domain's recipients still pending
   * @param attempt 1 for the first try, then 2, 3 ...
   */
  public record Attempt(long id, String domain, OutgoingMessage message, int attempt) {}

  private static final class Work {
    final long id;
    final String domain;
    final OutgoingMessage original;
    final Instant submitted;
    List<String> pending;
    Instant due;
    int attempts;
    boolean inFlight;

    Work(long id, String domain, OutgoingMessage original, List<String> pending, Instant now) {
      this.id = id;
      this.domain = domain;
      this.original = original;
      this.pending = pending;
      this.submitted = now;
      this.due = now;
    }
  }

  private final Duration firstRetry;
  private final Duration maxRetryInterval;
  private final Duration giveUpAfter;
  private final Map<Long, Work> work = new HashMap<>();
  private final PriorityQueue<Work> schedule =
      new PriorityQueue<>((a, b) -> a.due.compareTo(b.due));
  private final ArrayDeque<Bounce> bounces = new ArrayDeque<>();
  private long nextId;

  private DeliveryQueue(Builder b) {
    this.firstRetry = b.firstRetry;
    this.maxRetryInterval = b.maxRetryInterval;
    this.giveUpAfter = b.giveUpAfter;
  }

  /** A builder with the defaults on its methods. */
  public static Builder builder() {
    return new Builder();
  }

  /** Queues {@code message}; its first attempts are due at {@code now}. */
  public void submit(Instant now, OutgoingMessage message) {
    Map<String, List<String>> byDomain = new LinkedHashMap<>();
    for (String r : message.recipients()) {
      int at = r.lastIndexOf('@');
      String domain = at < 0 ? "" : r.substring(at + 1).toLowerCase(Locale.ROOT);
      byDomain.computeIfAbsent(domain, k -> new ArrayList<>()).add(r);
    }
    for (Map.Entry<String, List<String>> e : byDomain.entrySet()) {
      Work w = new Work(++nextId, e.getKey(), message, e.getValue(), now);
      work.put(w.id, w);
      schedule.add(w);
    }
  }

  /** The attempts due at {@code now}, each handed out once until it is reported. */
  public List<Attempt> due(Instant now) {
    List<Attempt> out = new ArrayList<>();
    while (!schedule.isEmpty() && !schedule.peek().due.isAfter(now)) {
      Work w = schedule.poll();
      w.inFlight = true;
      w.attempts++;
      OutgoingMessage m = w.original.withRecipients(w.pending);
      out.add(new Attempt(w.id, w.domain, m, w.attempts));
    }
    return out;
  }

  /**
   * The results of an attempt: accepted recipients are done, permanent failures bounce, temporary
   * ones are retried later (or bounce once {@code giveUpAfter} has passed). Recipients missing from
   * {@code results} count as temporarily failed.
   */
  public void report(Instant now, Attempt attempt, List<RecipientResult> results) {
    Work w = work.get(attempt.id());
    if (w == null || !w.inFlight || w.attempts != attempt.attempt()) {
      throw new IllegalArgumentException("unknown or already reported attempt " + attempt.id());
    }
    w.inFlight = false;
    Map<String, RecipientResult> byRecipient = new HashMap<>();
    for (RecipientResult r : results) {
      byRecipient.put(r.recipient(), r);
    }
    List<RecipientResult> failed = new ArrayList<>();
    List<String> retry = new ArrayList<>();
    boolean expired = !now.isBefore(w.submitted.plus(giveUpAfter));
    for (String rcpt : w.pending) {
      RecipientResult r = byRecipient.get(rcpt);
      if (r == null) {
        r =
            new RecipientResult(
                rcpt,
                RecipientResult.Status.TEMP_FAILED,
                SmtpReply.of(451, "4.4.0", "no result reported"));
      }
      switch (r.status()) {
        case ACCEPTED -> {}
        case PERM_FAILED -> failed.add(r);
        case TEMP_FAILED -> {
          if (expired) {
            failed.add(
                new RecipientResult(
                    rcpt,
                    RecipientResult.Status.PERM_FAILED,
                    SmtpReply.of(
                        550,
                        "5.4.7",
                        "delivery time expired; last error: "
                            + r.reply().toString().replace("\r\n", " "))));
          } else {
            retry.add(rcpt);
          }
        }
      }
    }
    if (!failed.isEmpty()) {
      bounces.add(new Bounce(w.original, failed));
    }
    if (retry.isEmpty()) {
      work.remove(w.id);
      return;
    }
    w.pending = retry;
    w.due = now.plus(retryDelay(w.attempts));
    schedule.add(w);
  }

  /** The delay before attempt {@code attempts + 1}: first retry, doubled each time, capped. */
  Duration retryDelay(int attempts) {
    Duration d = firstRetry;
    for (int i = 1; i < attempts && d.compareTo(maxRetryInterval) < 0; i++) {
      d = d.multipliedBy(2);
    }
    return d.compareTo(maxRetryInterval) > 0 ? maxRetryInterval : d;
  }

  /** When the next attempt is due, or {@code null} when nothing waits. */
  public Instant pollTimeout() {
    Work w = schedule.peek();
    return w == null ? null : w.due;
  }

  /** The next bounce to report, or {@code null}. */
  public Bounce pollBounce() {
    return bounces.poll();
  }

  /** Deliveries queued or in flight (one per message and domain). */
  public int size() {
    return work.size();
  }

  /** Configures a {@link DeliveryQueue}. */
  public static final class Builder {
    private Duration firstRetry = Duration.ofMinutes(15);
    private Duration maxRetryInterval = Duration.ofHours(4);
    private Duration giveUpAfter = Duration.ofDays(5);

    private Builder() {}

    /** Delay before the first retry (default 15 minutes); doubled for each further one. */
    public Builder firstRetry(Duration d) {
      this.firstRetry = positive(d);
      return this;
    }

    /** Longest delay between retries (default 4 hours). */
    public Builder maxRetryInterval(Duration d) {
      this.maxRetryInterval = positive(d);
      return this;
    }

    /** How long after submission a temporary failure becomes a bounce (default 5 days). */
    public Builder giveUpAfter(Duration d) {
      this.giveUpAfter = positive(d);
      return this;
    }

    private static Duration positive(Duration d) {
      Objects.requireNonNull(d, "duration");
      if (d.isZero() || d.isNegative()) {
        throw new IllegalArgumentException("must be positive");
      }
      return d;
    }

    /** The queue. */
    public DeliveryQueue build() {
      return new DeliveryQueue(this);
    }
  }
}
