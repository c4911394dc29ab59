/**
 * A small kit for tests of code that uses the runtime, without a web server or a database: a {@link
 * dev.extsvc.runtime.testing.SettableClock}, an {@link dev.extsvc.runtime.testing.InMemoryStore}
 * (the whole store SPI, with switches to make it fail), a {@link
 * dev.extsvc.runtime.testing.LoopbackService} standing in for an external service, and {@link
 * dev.extsvc.runtime.testing.Callbacks} to turn a callback URL into the request the
 * framework-neutral receiver takes; {@link dev.extsvc.runtime.testing.KeyStores} makes key stores
 * for mutual TLS tests. Published as the runtime's test-jar: {@code
 * <artifactId>extsvc-runtime</artifactId><type>test-jar</type><scope>test</scope>}.
 */
package dev.extsvc.runtime.testing;
