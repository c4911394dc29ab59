/**
 * Receiving a callback: token, checks (method, status, deadline, size, signature, type, JSON), key
 * choice, dedup and storing, then handing it to processing. Entry: {@link
 * dev.extsvc.runtime.receive.CallbackIntake}; the public endpoint is {@link
 * dev.extsvc.runtime.CallbackReceiver}. Not an API.
 */
@NullMarked
package dev.extsvc.runtime.receive;

import org.jspecify.annotations.NullMarked;
