/**
 * Spring Boot auto-configuration of extsvc: the runtime inside the application, its callback
 * endpoint on the application's server, handlers as beans in the application's transactions, health
 * and metrics.
 */
@NullMarked
package dev.extsvc.spring;

import org.jspecify.annotations.NullMarked;
