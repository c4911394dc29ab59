/**
 * A simulated external web service driven by an OpenAPI document: {@link
 * dev.extsvc.mock.MockService} answers each operation from its examples or schemas and, for
 * asynchronous operations, calls back at the URLs the caller wrote into the request.
 */
@NullMarked
package dev.extsvc.mock;

import org.jspecify.annotations.NullMarked;
