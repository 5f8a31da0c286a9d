/**
 * headend JWT: compact JWS (HS, RS, PS, ES, EdDSA) with keys pinned to algorithms, JWK and JWK
 * Sets, claims validation with typed failures, a cached JWKS source, and refresh-token rotation
 * with reuse detection in memory or on Redis.
 */
// Jedis has no module descriptor yet (only an Automatic-Module-Name); it is optional.
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module dev.headend.jwt {
  requires transitive dev.headend.core;
  requires dev.headend.ratelimit;
  requires com.fasterxml.jackson.core;
  requires org.bouncycastle.provider;
  requires static transitive redis.clients.jedis;

  exports dev.headend.jwt;
  exports dev.headend.jwt.session;
  exports dev.headend.jwt.session.redis;
}
