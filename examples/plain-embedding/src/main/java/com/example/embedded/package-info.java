/**
 * A plain Java application that embeds the extsvc runtime and serves its callbacks on the JDK's
 * HTTP server.
 */
@NullMarked
package com.example.embedded;

import org.jspecify.annotations.NullMarked;
