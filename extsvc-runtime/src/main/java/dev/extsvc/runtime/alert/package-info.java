/**
 * Alerts: conditions checked against the store every interval, fired once and resolved once, shown
 * and posted to a signed webhook. Entry: {@link dev.extsvc.runtime.alert.AlertMonitor}. Not an API.
 */
@NullMarked
package dev.extsvc.runtime.alert;

import org.jspecify.annotations.NullMarked;
