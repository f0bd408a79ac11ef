/**
 * HTTP: the Jetty server that serves the modules' routes and drains on stop, the admin connector
 * with health, strict JSON and RFC 9457 problem details. Modules contribute servlets through
 * {@link dev.lastcall.platform.http.Routes} and never see Jetty. Each servlet overrides
 * {@code service}, takes its path apart with {@link dev.lastcall.platform.http.PathSegments} and
 * its query with {@link dev.lastcall.platform.http.QueryParameters}, and answers a method its path
 * does not serve with {@link dev.lastcall.platform.http.ProblemException#methodNotAllowed}.
 */
@NullMarked
package dev.lastcall.platform.http;

import org.jspecify.annotations.NullMarked;
