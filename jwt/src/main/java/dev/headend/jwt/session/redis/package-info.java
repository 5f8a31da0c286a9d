/** The Redis {@link dev.headend.jwt.session.RefreshTokenStore} (Jedis, optional dependency). */
package dev.headend.jwt.session.redis;
