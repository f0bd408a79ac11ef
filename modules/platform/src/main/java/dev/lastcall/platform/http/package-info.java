/**
 * HTTP: the Jetty server that serves the modules' routes and drains on stop, the admin connector
 * with health, strict JSON and RFC 9457 problem details. Modules contribute servlets through
 * {@link dev.lastcall.platform.http.Routes} and never see Jetty.
 */
@NullMarked
package dev.lastcall.platform.http;

import org.jspecify.annotations.NullMarked;
