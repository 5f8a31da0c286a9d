package dev.headend.mail.smtp.transport;

import dev.headend.mail.delivery.MxLookup;
import dev.headend.mail.delivery.MxRoute;
import dev.headend.mail.smtp.SmtpReply;
import dev.headend.mail.smtp.client.DeliveryResult;
import dev.headend.mail.smtp.client.OutgoingMessage;
import dev.headend.mail.smtp.client.RecipientResult;
import dev.headend.mail.smtp.client.SmtpClientError;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Delivers a message to the mail exchangers of one domain (RFC 5321 §5.1): looks up the route
 * ({@link MxRoute#plan}), then tries each exchanger's addresses in order until one session runs to
 * its end. A refused or failed connection, a transient session failure (a 4xx greeting, a timeout,
 * a missing STARTTLS that is required ...) moves on to the next address; per-recipient answers and
 * permanent failures stop the search. What {@link dev.headend.mail.delivery.DeliveryQueue} needs
 * for one attempt.
 *
 * <pre>{@code
 * SmtpDeliverer mx = new SmtpDeliverer(client, MxLookup.dns(resolver, Duration.ofSeconds(10)),
 *     25, new SecureRandom());
 * DeliveryResult r = mx.deliver("example.net", message);   // blocking
 * }</pre>
 */
public final class SmtpDeliverer {
  private final SmtpClient client;
  private final MxLookup lookup;
  private final int port;
  private final RandomGenerator random;
  private final int maxAddresses;

  /**
   * A deliverer.
   *
   * @param client the client for each session
   * @param lookup MX and address lookups
   * @param port the SMTP port of every exchanger (25; a high port in tests)
   * @param random shuffles exchangers of equal preference
   */
  public SmtpDeliverer(SmtpClient client, MxLookup lookup, int port, RandomGenerator random) {
    this.client = Objects.requireNonNull(client, "client");
    this.lookup = Objects.requireNonNull(lookup, "lookup");
    this.port = port;
    this.random = Objects.requireNonNull(random, "random");
    this.maxAddresses = 16;
  }

  /**
   * Delivers {@code message} (whose recipients are all in {@code domain}) and returns the result of
   * the last session tried, or a result made from the route's failure.
   */
  public DeliveryResult deliver(String domain, OutgoingMessage message) {
    MxRoute route = MxRoute.plan(domain, lookup, random);
    if (route.failure() != null) {
      return failed(message, route.failure());
    }
    DeliveryResult last = null;
    int tried = 0;
    for (String host : route.hosts()) {
      List<InetAddress> addresses;
      try {
        addresses = lookup.addresses(host);
      } catch (MxLookup.LookupException e) {
        last = DeliveryResult.connectionFailed(message.recipients(), host + ": " + e.getMessage());
        continue;
      }
      for (InetAddress address : addresses) {
        if (++tried > maxAddresses) {
          return last;
        }
        last = client.deliver(new InetSocketAddress(address, port), host, message);
        if (!last.tryAnotherHost()) {
          return last;
        }
      }
    }
    if (last == null) {
      return failed(
          message, SmtpReply.of(451, "4.4.4", "no address for any exchanger of " + domain));
    }
    return last;
  }

  private static DeliveryResult failed(OutgoingMessage message, SmtpReply reply) {
    RecipientResult.Status status =
        reply.code() >= 500
            ? RecipientResult.Status.PERM_FAILED
            : RecipientResult.Status.TEMP_FAILED;
    List<RecipientResult> results = new ArrayList<>();
    for (String r : message.recipients()) {
      results.add(new RecipientResult(r, status, reply));
    }
    return new DeliveryResult(results, SmtpClientError.CONNECTION_FAILED, reply, false);
  }
}
